"""Group commit of cache rows and usage rows: many requests' writes share one transaction.

A request that paid for new completions waits until its rows are committed (the cache is durable before
the response says the work is done). A request served entirely from the cache only adds its usage row and
does not wait: those rows are committed with the next batch, by the periodic tick (``tick_s``), when
``/v1/usage`` is read (``flush``) or at shutdown (``close``) — a cache hit costs no database write.
Usage rows queued for one batch are summed per (backend, model, endpoint, label) first: a batch inserts
one row per group, not one per request (the ledger's sums are the same, and hundreds of cache hits a
second cost a handful of rows). One background task does all writes, from a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging

from teacher.db import CacheEntry, Store, UsageRecord

log = logging.getLogger("teacher.writer")


class BatchWriter:
    """Queues writes and commits everything queued in one transaction, one batch at a time."""

    def __init__(self, store: Store, *, tick_s: float = 0.25, max_lazy_rows: int = 512) -> None:
        self.store = store
        self.tick_s = tick_s
        self.max_lazy_rows = max_lazy_rows
        self._entries: list[CacheEntry] = []
        self._usage: dict[tuple[str, str, str, str | None], UsageRecord] = {}
        self._lazy = 0  # requests whose usage waits for the next batch
        self._waiters: list[asyncio.Future[None]] = []
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="teacher-batch-writer")

    async def write(self, entries: list[CacheEntry], usage: UsageRecord, *, wait: bool) -> None:
        """Queue ``entries`` and ``usage``; with ``wait``, return once they are committed."""
        self._entries.extend(entries)
        self._add(usage)
        if not wait:  # committed with the next batch, or by the periodic tick
            self._lazy += 1
            if self._lazy >= self.max_lazy_rows:
                self._wakeup.set()
            return
        future = asyncio.get_running_loop().create_future()
        self._waiters.append(future)
        self._wakeup.set()
        await future

    def _add(self, usage: UsageRecord) -> None:
        key = (usage.backend, usage.model, usage.endpoint, usage.label)
        total = self._usage.get(key)
        if total is None:
            self._usage[key] = dataclasses.replace(usage)  # a copy: callers may reuse theirs
        else:
            total.add(usage)

    async def flush(self) -> None:
        """Return once everything queued so far (including a batch being written now) is committed."""
        future = asyncio.get_running_loop().create_future()
        self._waiters.append(future)
        self._wakeup.set()
        await future

    async def close(self) -> None:
        """Commit what is queued and stop the writer."""
        if self._task is not None:
            await self.flush()
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self.tick_s)
            self._wakeup.clear()
            if not (self._entries or self._usage or self._waiters):
                continue
            entries, self._entries = self._entries, []
            usage, self._usage, self._lazy = list(self._usage.values()), {}, 0
            waiters, self._waiters = self._waiters, []
            try:
                await asyncio.to_thread(self.store.record, entries, usage)
            except Exception as exc:  # noqa: BLE001 - reported to every waiter, the writer keeps going
                log.exception(
                    "cache/usage write failed", extra={"entries": len(entries), "usage": len(usage)}
                )
                for waiter in waiters:
                    if not waiter.done():
                        waiter.set_exception(exc)
                continue
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)
