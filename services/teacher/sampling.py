"""Getting k completions of one prompt: cache first, then one upstream call for what is missing.

This module owns the response cache's keys, its in-memory front (an LRU over the database rows), the
coalescing of identical requests in flight (one upstream call, every waiter gets its result), the
batching of concurrent database lookups (``LookupBatcher``: a request of many problems draws each
problem's samples concurrently, and one query per problem cost more than the lookups themselves) and the
per-request accounting (calls, cache hits, tokens, cost) that is written with the new cache rows.
Sample ``i`` of a request is cache key ``i``; with a base seed, it is asked for with seed ``seed + i``,
one sample per call, so that it is reproducible on its own.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from fdd.wire.teacher import Sampling
from teacher.backends.base import BackendError, Completion, TeacherBackend
from teacher.db import CacheEntry, Store, UsageRecord
from teacher.settings import Price


@dataclass(frozen=True)
class Drawn:
    """Sample ``index`` of a prompt; ``cached`` when no upstream call was paid for it by this request."""

    index: int
    completion: Completion
    cached: bool
    cost_usd: float


@dataclass
class RequestUsage:
    """What one HTTP request cost, and the completions it must add to the cache."""

    backend: str
    model: str
    endpoint: str
    label: str | None
    calls: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    new_entries: list[CacheEntry] = field(default_factory=list)

    def record(self) -> UsageRecord:
        return UsageRecord(
            self.backend,
            self.model,
            self.endpoint,
            self.label,
            self.calls,
            self.cache_hits,
            self.prompt_tokens,
            self.completion_tokens,
            self.cost_usd,
        )


def cache_keys(
    backend: str, model: str, prompt_version: str, messages: list[dict[str, str]], sampling: Sampling, k: int
) -> list[str]:
    """The cache keys of samples ``0..k-1`` of ``messages`` under ``sampling`` (hashed once)."""
    material = [backend, model, prompt_version, messages, sampling.model_dump(mode="json")]
    base = hashlib.sha256(json.dumps(material, sort_keys=True, separators=(",", ":")).encode())
    keys = []
    for index in range(k):
        digest = base.copy()
        digest.update(f"|sample={index}".encode())
        keys.append(digest.hexdigest())
    return keys


def cache_key(
    backend: str,
    model: str,
    prompt_version: str,
    messages: list[dict[str, str]],
    sampling: Sampling,
    index: int,
) -> str:
    """The cache key of sample ``index`` of ``messages`` under ``sampling``."""
    return cache_keys(backend, model, prompt_version, messages, sampling, index + 1)[index]


class MemoryCache:
    """A bounded LRU of completions by key, in front of the database."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, Completion] = OrderedDict()

    def get(self, key: str) -> Completion | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: str, completion: Completion) -> None:
        if self.capacity <= 0:
            return
        self._items[key] = completion
        self._items.move_to_end(key)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)


class LookupBatcher:
    """Concurrent cache lookups answered by shared database queries.

    A lookup starts a query on the event loop's next turn, which takes every lookup queued by then;
    lookups that arrive while a query runs wait for the next one, which asks for all their keys together
    (at most ``max_keys`` a query). A lone lookup waits for nothing; a burst costs a few queries instead
    of one each. A failed query fails the lookups it carried, and only those.
    """

    def __init__(
        self, get_many: Callable[[Sequence[str]], dict[str, Completion]], max_keys: int = 2000
    ) -> None:
        self._get_many = get_many
        self.max_keys = max_keys
        self.queries = 0
        self._queue: deque[tuple[list[str], asyncio.Future[dict[str, Completion]]]] = deque()
        self._drainer: asyncio.Task[None] | None = None

    async def get_many(self, keys: list[str]) -> dict[str, Completion]:
        future: asyncio.Future[dict[str, Completion]] = asyncio.get_running_loop().create_future()
        self._queue.append((keys, future))
        if self._drainer is None:
            self._drainer = asyncio.create_task(self._drain())  # it ends when the queue is empty
        return await future

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch, size = [], 0
                while self._queue and (not batch or size + len(self._queue[0][0]) <= self.max_keys):
                    keys, future = self._queue.popleft()
                    batch.append((keys, future))
                    size += len(keys)
                wanted = list(dict.fromkeys(k for keys, _ in batch for k in keys))
                try:
                    self.queries += 1
                    stored = await asyncio.to_thread(self._get_many, wanted)
                except Exception as exc:  # noqa: BLE001 - handed to the lookups that asked
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for keys, future in batch:
                    if not future.done():
                        future.set_result({k: stored[k] for k in keys if k in stored})
        finally:
            self._drainer = None


class Sampler:
    """Draws samples of prompts through one backend, the cache and in-flight coalescing."""

    def __init__(
        self,
        backend: TeacherBackend,
        store: Store,
        price: Price,
        prompt_version: str,
        *,
        cache: bool,
        memory: int,
    ) -> None:
        self.backend = backend
        self.store = store
        self.price = price
        self.prompt_version = prompt_version
        self.cache_enabled = cache
        self.memory = MemoryCache(memory)
        self.lookups = LookupBatcher(store.get_many)
        self._inflight: dict[str, asyncio.Future[Completion]] = {}

    def usage_for(self, endpoint: str, label: str | None) -> RequestUsage:
        return RequestUsage(self.backend.name, self.backend.model, endpoint, label)

    def cost(self, completion: Completion) -> float:
        return (
            completion.prompt_tokens * self.price.prompt
            + completion.completion_tokens * self.price.completion
        ) / 1e6

    async def draw(
        self, messages: list[dict[str, str]], k: int, sampling: Sampling, usage: RequestUsage
    ) -> list[Drawn]:
        """Samples ``0..k-1`` of ``messages`` (raises ``BackendError`` when the upstream fails)."""
        if not self.cache_enabled:
            fresh = await self._upstream(messages, list(range(k)), sampling, usage)
            return [Drawn(i, c, False, self.cost(c)) for i, c in zip(range(k), fresh, strict=True)]
        keys = cache_keys(self.backend.name, self.backend.model, self.prompt_version, messages, sampling, k)
        found = await self._lookup(keys)
        owned, waiting = self._claim(keys, found)
        drawn: dict[int, Drawn] = {i: Drawn(i, c, True, 0.0) for i, c in found.items()}
        if owned:
            drawn.update(await self._fill(messages, keys, owned, sampling, usage))
        for i, future in waiting.items():
            drawn[i] = Drawn(i, await future, True, 0.0)
        usage.cache_hits += len(found) + len(waiting)
        return [drawn[i] for i in range(k)]

    async def _lookup(self, keys: list[str]) -> dict[int, Completion]:
        found = {i: c for i, key in enumerate(keys) if (c := self.memory.get(key)) is not None}
        missing = [key for i, key in enumerate(keys) if i not in found and key not in self._inflight]
        if missing:
            stored = await self.lookups.get_many(missing)
            for i, key in enumerate(keys):
                if key in stored:
                    self.memory.put(key, stored[key])
                    found[i] = stored[key]
        return found

    def _claim(
        self, keys: list[str], found: dict[int, Completion]
    ) -> tuple[list[int], dict[int, asyncio.Future]]:
        """Split the missing samples into ours to fetch and ones another request is fetching (no await)."""
        owned: list[int] = []
        waiting: dict[int, asyncio.Future[Completion]] = {}
        loop = asyncio.get_running_loop()
        for i, key in enumerate(keys):
            if i in found:
                continue
            if (c := self.memory.get(key)) is not None:
                found[i] = c
            elif key in self._inflight:
                waiting[i] = self._inflight[key]
            else:
                future: asyncio.Future[Completion] = loop.create_future()
                future.add_done_callback(_consume_exception)
                self._inflight[key] = future
                owned.append(i)
        return owned, waiting

    async def _fill(
        self,
        messages: list[dict[str, str]],
        keys: list[str],
        owned: list[int],
        sampling: Sampling,
        usage: RequestUsage,
    ) -> dict[int, Drawn]:
        try:
            fresh = await self._upstream(messages, owned, sampling, usage)
        except BaseException as exc:
            for i in owned:
                error = (
                    exc if isinstance(exc, BackendError) else BackendError(f"upstream call failed: {exc!r}")
                )
                self._inflight.pop(keys[i]).set_exception(error)
            raise
        drawn = {}
        for i, completion in zip(owned, fresh, strict=True):
            self.memory.put(keys[i], completion)
            self._inflight.pop(keys[i]).set_result(completion)
            usage.new_entries.append(
                CacheEntry(keys[i], self.backend.name, self.backend.model, self.prompt_version, completion)
            )
            drawn[i] = Drawn(i, completion, False, self.cost(completion))
        return drawn

    async def _upstream(
        self, messages: list[dict[str, str]], indices: list[int], sampling: Sampling, usage: RequestUsage
    ) -> list[Completion]:
        params = {
            "temperature": sampling.temperature,
            "top_p": sampling.top_p,
            "max_tokens": sampling.max_tokens,
        }
        if sampling.seed is None:
            batches = [await self.backend.complete(messages, len(indices), seed=None, **params)]
        else:
            calls = (self.backend.complete(messages, 1, seed=sampling.seed + i, **params) for i in indices)
            batches = list(await asyncio.gather(*calls))
        fresh = [c for batch in batches for c in batch]
        if len(fresh) != len(indices):
            raise BackendError(f"backend returned {len(fresh)} completions instead of {len(indices)}")
        usage.calls += len(batches)
        for c in fresh:
            usage.prompt_tokens += c.prompt_tokens
            usage.completion_tokens += c.completion_tokens
            usage.cost_usd += self.cost(c)
        return fresh


def _consume_exception(future: asyncio.Future) -> None:
    """Mark a failed in-flight future's error as seen: its owner already raised it."""
    if not future.cancelled():
        future.exception()
