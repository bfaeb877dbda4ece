"""`Sandbox`: a thread-safe pool of sandbox workers that executes Program-of-Thought programs in batches.

The parent side of execution: a cheap allow-list check of each program here (forbidden or malformed
programs never travel), de-duplication within a batch, chunking of the rest over up to N long-lived
workers (`fdd.programs.process`), the outside wall-clock kill, and replacement of dead workers. When a
worker dies mid-chunk, the program it was running gets the cause of death as its result and the rest
of the chunk is re-queued. Several threads may call `execute_many` at once: each borrows idle workers
and hands one back after a chunk as soon as another caller is waiting.
"""

from __future__ import annotations

import math
import os
import selectors
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable

from fdd.programs import policy
from fdd.programs.process import WorkerDied, _Worker
from fdd.programs.results import ErrorKind, ExecResult

DEFAULT_TIMEOUT = 2.0
_MAX_ATTEMPTS = 3  # a program whose worker keeps dying before it starts is given up
_KINDS = frozenset(kind.value for kind in ErrorKind)


def check_in_parent(program: object, *, full: bool) -> ExecResult | None:
    """The result for a program that cannot run (not text, too long; with `full`, bad syntax or
    forbidden), else None. The worker runs the full check on every program anyway."""
    if not isinstance(program, str):
        return ExecResult.failure(ErrorKind.SYNTAX, f"program is a {type(program).__name__}, not text")
    if not full:
        if len(program) > policy.MAX_PROGRAM_CHARS:
            return ExecResult.failure(
                ErrorKind.TOO_LARGE,
                f"program is {len(program):,} characters; the limit is {policy.MAX_PROGRAM_CHARS:,}",
            )
        return None
    try:
        policy.check(program)
    except policy.PolicyError as exc:
        return ExecResult.failure(ErrorKind.FORBIDDEN, str(exc))
    except ValueError as exc:
        return ExecResult.failure(ErrorKind.TOO_LARGE, str(exc))
    except SyntaxError as exc:
        return ExecResult.failure(
            ErrorKind.SYNTAX, f"{exc.msg} (line {exc.lineno})" if exc.lineno else exc.msg
        )
    return None


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


class Sandbox:
    """A pool of sandbox worker processes; a context manager (`close()` ends the workers).

    workers: pool size (default: CPU count). timeout: default per-program limit in seconds.
    memory_mb: address-space limit of each worker. max_chunk: most programs sent in one round trip.
    kill_grace: seconds past the timeout before the parent kills a worker that stopped making progress.
    recycle_after: programs a worker serves before it is replaced (bounds slow leaks).
    check_in_parent: also run the allow-list in this process (saves a round trip for rejected programs
    but costs this process ~60 µs per program; the worker checks every program regardless).
    """

    def __init__(
        self,
        workers: int | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        memory_mb: int = 512,
        max_chunk: int = 128,
        kill_grace: float = 1.0,
        recycle_after: int = 50_000,
        check_in_parent: bool = False,
        python: str = sys.executable,
    ) -> None:
        self.size = max(1, workers or os.cpu_count() or 1)
        self.timeout = timeout
        self.max_chunk = max(1, max_chunk)
        self.kill_grace = kill_grace
        self.recycle_after = recycle_after
        self.check_in_parent = check_in_parent
        self._python = python
        self._memory_bytes = memory_mb << 20
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._live = 0
        self._waiting = 0
        self._closed = False
        self._pid = os.getpid()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End idle workers now; busy ones end when their caller hands them back."""
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._live -= len(idle)
            self._cond.notify_all()
        for worker in idle:
            worker.close()

    def execute(self, program: str, timeout: float | None = None) -> ExecResult:
        """Run one program; see `execute_many`."""
        return self.execute_many([program], timeout)[0]

    def execute_many(self, programs: Iterable[str], timeout: float | None = None) -> list[ExecResult]:
        """Run programs in the sandbox: one ExecResult per program, in order; bad programs never raise."""
        limit = self.timeout if timeout is None else float(timeout)
        if not limit > 0:
            raise ValueError(f"timeout must be positive, got {timeout!r}")
        programs = list(programs)
        results: list[ExecResult | None] = [None] * len(programs)
        first: dict[object, int] = {}
        jobs: list[int] = []
        for index, program in enumerate(programs):
            key = program if isinstance(program, str) else ("<not text>", index)
            if first.setdefault(key, index) != index:
                continue
            results[index] = check_in_parent(program, full=self.check_in_parent)
            if results[index] is None:
                jobs.append(index)
        if jobs:
            _Batch(self, programs, results, limit).run(jobs)
        for index, program in enumerate(programs):
            if results[index] is None and isinstance(program, str):
                results[index] = results[first[program]]
        return results  # type: ignore[return-value]

    def info(self) -> dict:
        """Identity, environment and limits reported by one worker (for tests and diagnostics)."""
        worker = self._acquire(block=True)
        assert worker is not None
        try:
            worker.request({"op": "info"})
            deadline = time.monotonic() + 10
            while (reply := worker.read_reply()) is None:
                if time.monotonic() > deadline:
                    raise TimeoutError("worker did not answer")
                time.sleep(0.001)
            return reply  # type: ignore[return-value]
        finally:
            self._release(worker)

    # -- workers ---------------------------------------------------------------------------------

    def _acquire(self, *, block: bool) -> _Worker | None:
        with self._cond:
            self._check_fork()
            while True:
                if self._closed:
                    raise RuntimeError("the sandbox is closed")
                if self._idle:
                    return self._idle.pop()
                if self._live < self.size:
                    self._live += 1
                    break
                if not block:
                    return None
                self._waiting += 1
                try:
                    self._cond.wait()
                finally:
                    self._waiting -= 1
        try:
            return _Worker(self._python, self._memory_bytes)
        except BaseException:
            with self._cond:
                self._live -= 1
                self._cond.notify()
            raise

    def _release(self, worker: _Worker) -> None:
        """Give a worker back, or retire it (dead, worn out, or the pool closed)."""
        retire = not worker.alive() or worker.served >= self.recycle_after
        with self._cond:
            if not (retire or self._closed):
                self._idle.append(worker)
                self._cond.notify()
                return
            self._live -= 1
            self._cond.notify()
        worker.close()

    def _discard(self, worker: _Worker) -> None:
        with self._cond:
            self._live -= 1
            self._cond.notify()

    def _others_waiting(self) -> bool:
        return self._waiting > 0

    def _check_fork(self) -> None:
        """After fork (e.g. a Celery prefork child) the inherited pipes are not ours: start afresh."""
        if os.getpid() != self._pid:
            self._pid = os.getpid()
            self._idle, self._live, self._waiting = [], 0, 0


class _Batch:
    """The work of one `execute_many` call: chunks in flight over borrowed workers."""

    def __init__(self, sandbox: Sandbox, programs: list, results: list, timeout: float) -> None:
        self.sandbox = sandbox
        self.programs = programs
        self.results = results
        self.timeout = timeout
        self.attempts: dict[int, int] = {}
        self.queue: deque[list[int]] = deque()
        self.busy: dict[int, _Worker] = {}
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
                sandbox._discard(worker)
            self.selector.close()

    def _dispatch(self) -> None:
        while self.queue:
            worker = self.sandbox._acquire(block=not self.busy)
            if worker is None:
                return
            self._feed(worker, fresh=True)

    def _feed(self, worker: _Worker, *, fresh: bool = False) -> None:
        """Keep up to two chunks in flight on the worker (the second hides the round trip); hand it back
        when it has none left and the queue is empty or another caller is waiting. A `fresh`ly borrowed
        worker always gets one chunk, so that callers never pass workers around without working."""
        sandbox = self.sandbox
        while self.queue and len(worker.chunks) < 2:
            if worker.chunks and (sandbox._others_waiting() or worker.served >= sandbox.recycle_after):
                break
            if not worker.chunks and not fresh and sandbox._others_waiting():
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
            sandbox._release(worker)

    def _forget(self, worker: _Worker) -> None:
        if self.busy.pop(worker.out_fd, None) is not None:
            self.selector.unregister(worker.out_fd)

    def _on_readable(self, worker: _Worker) -> None:
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

    def _on_death(self, worker: _Worker) -> None:
        """Report the program that was running, re-queue the rest of its chunks, replace the worker."""
        self._forget(worker)
        worker.drain_progress()
        kind, detail = worker.death_cause()
        self.sandbox._discard(worker)
        in_flight = [index for chunk in worker.chunks for index in chunk]
        worker.chunks.clear()
        if worker.started:
            self.results[in_flight[worker.started - 1]] = ExecResult.failure(kind, detail)
        retry = [i for i in in_flight if self.results[i] is None]
        for index in retry:
            self.attempts[index] = self.attempts.get(index, 0) + 1
            if self.attempts[index] >= _MAX_ATTEMPTS:
                self.results[index] = ExecResult.failure(kind, f"{detail} (after {_MAX_ATTEMPTS} attempts)")
        retry = [i for i in retry if self.results[i] is None]
        if retry:
            self.queue.appendleft(retry)
