"""One `execute_many` call at work: its chunks in flight over workers borrowed from a `Sandbox`.

A `Batch` owns the event loop of a single call, run in the caller's thread: it borrows workers,
keeps up to two chunks in flight on each (the second hides the round trip), decodes and checks the
replies (a worker is untrusted), kills a worker whose current program has run past the timeout plus
a grace period (the outside wall-clock kill), and when a worker dies reports the program it was
running — known from its progress bytes — with the cause of death and re-queues the rest. Pool
bookkeeping (borrowing, returning, replacing workers) stays in `fdd.programs.pool`.
"""

from __future__ import annotations

import math
import selectors
import time
from collections import deque
from typing import TYPE_CHECKING

from fdd.programs.process import WorkerDied, WorkerProcess
from fdd.programs.results import ErrorKind, ExecResult

if TYPE_CHECKING:
    from fdd.programs.pool import Sandbox

_KINDS = frozenset(kind.value for kind in ErrorKind)
_MAX_ATTEMPTS = 3  # a program whose worker keeps dying before it starts is given up


def _decode(item: object) -> ExecResult:
    """One worker result triple, checked: a worker is not trusted to send well-formed data."""
    if not (isinstance(item, list) and len(item) == 3):
        raise WorkerDied("malformed result")
    kind, value, detail = item
    if kind is None and type(value) in (int, float):
        return ExecResult.success(value)
    if kind in _KINDS and value is None and isinstance(detail, str):
        return ExecResult.failure(kind, detail[:500])
    raise WorkerDied("malformed result")


class Batch:
    """The work of one `execute_many` call: chunks in flight over borrowed workers."""

    def __init__(self, sandbox: Sandbox, programs: list, results: list, timeout: float) -> None:
        self.sandbox = sandbox
        self.programs = programs
        self.results = results
        self.timeout = timeout
        self.attempts: dict[int, int] = {}
        self.queue: deque[list[int]] = deque()
        self.busy: dict[int, WorkerProcess] = {}
        self.selector = selectors.DefaultSelector()

    def run(self, jobs: list[int]) -> None:
        sandbox = self.sandbox
        size = min(sandbox.max_chunk, max(1, math.ceil(len(jobs) / (sandbox.size * 4))))
        self.queue.extend(jobs[i : i + size] for i in range(0, len(jobs), size))
        poll = min(0.1, self.timeout / 4)
        try:
            while self.queue or self.busy:
                self._dispatch()
                for key, _ in self.selector.select(poll if self.busy else 0):
                    self._on_readable(key.data)
                self._kill_stuck()
        finally:
            for worker in list(self.busy.values()):  # interrupted: the workers are mid-chunk
                self._forget(worker)
                worker.kill()
                worker.close()
                sandbox.discard(worker)
            self.selector.close()

    def _dispatch(self) -> None:
        while self.queue:
            worker = self.sandbox.borrow(block=not self.busy)
            if worker is None:
                return
            self._feed(worker, fresh=True)

    def _feed(self, worker: WorkerProcess, *, fresh: bool = False) -> None:
        """Keep up to two chunks in flight on the worker (the second hides the round trip); hand it back
        when it has none left and the queue is empty or another caller is waiting. A `fresh`ly borrowed
        worker always gets one chunk, so that callers never pass workers around without working."""
        sandbox = self.sandbox
        while self.queue and len(worker.chunks) < 2:
            if worker.chunks and (sandbox.others_waiting() or worker.served >= sandbox.recycle_after):
                break
            if not worker.chunks and not fresh and sandbox.others_waiting():
                break
            chunk = self.queue[0]
            try:
                sent = worker.send_chunk([self.programs[i] for i in chunk], self.timeout, chunk)
            except WorkerDied:
                self._on_death(worker)
                return
            if not sent:
                break
            self.queue.popleft()
        if worker.chunks:
            if worker.out_fd not in self.busy:
                self.busy[worker.out_fd] = worker
                self.selector.register(worker.out_fd, selectors.EVENT_READ, worker)
        else:
            self._forget(worker)
            sandbox.hand_back(worker)

    def _forget(self, worker: WorkerProcess) -> None:
        if self.busy.pop(worker.out_fd, None) is not None:
            self.selector.unregister(worker.out_fd)

    def _on_readable(self, worker: WorkerProcess) -> None:
        """Take every complete reply (two may arrive in one read), then feed the worker again."""
        read = True
        while worker.chunks:
            try:
                reply = worker.read_reply(read=read)
                if reply is None:
                    break
                if not isinstance(reply, list) or len(reply) != len(worker.chunks[0]):
                    raise WorkerDied("reply does not match the request")
                decoded = [_decode(item) for item in reply]
            except WorkerDied:
                self._on_death(worker)
                return
            read = False
            for index, result in zip(worker.finish_chunk(), decoded, strict=True):
                self.results[index] = result
        self._feed(worker)

    def _kill_stuck(self) -> None:
        now = time.monotonic()
        for worker in list(self.busy.values()):
            worker.drain_progress()
            if now - worker.progress_at > self.timeout + self.sandbox.kill_grace:
                worker.kill()
                self._on_death(worker)

    def _on_death(self, worker: WorkerProcess) -> None:
        """Report the program that was running, re-queue the rest of its chunks, replace the worker."""
        self._forget(worker)
        worker.drain_progress()
        kind, detail = worker.death_cause()
        self.sandbox.discard(worker)
        in_flight = [index for chunk in worker.chunks for index in chunk]
        worker.chunks.clear()
        if worker.started:  # the culprit is known: the others are innocent and simply run again
            self.results[in_flight[worker.started - 1]] = ExecResult.failure(kind, detail)
        retry = [i for i in in_flight if self.results[i] is None]
        if not worker.started:  # died before any program began: bound the retries
            for index in retry:
                self.attempts[index] = self.attempts.get(index, 0) + 1
                if self.attempts[index] >= _MAX_ATTEMPTS:
                    self.results[index] = ExecResult.failure(
                        kind, f"{detail} (after {_MAX_ATTEMPTS} attempts)"
                    )
            retry = [i for i in retry if self.results[i] is None]
        if retry:
            self.queue.appendleft(retry)
