"""`Sandbox`: a thread-safe pool of sandbox worker processes that executes Program-of-Thought programs.

The parent side of execution: a cheap input check (text, length cap; optionally the full allow-list
too), de-duplication within a batch, and the pool itself — up to N long-lived workers
(`fdd.programs.process`) started on demand, lent to callers, taken back, replaced when they die or
have served `recycle_after` programs. The event loop of one call (chunks, outside wall-clock kill,
death handling) is `fdd.programs.batch`. Several threads may call `execute_many` at once: each
borrows idle workers and hands one back after a chunk as soon as another caller is waiting.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import weakref
from collections.abc import Iterable

from fdd.programs import policy
from fdd.programs.batch import Batch
from fdd.programs.process import WorkerProcess
from fdd.programs.results import ErrorKind, ExecResult

DEFAULT_TIMEOUT = 2.0


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
        self._idle: list[WorkerProcess] = []
        self._live = 0
        self._waiting = 0
        self._closed = False
        _SANDBOXES.add(self)

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
            Batch(self, programs, results, limit).run(jobs)
        for index, program in enumerate(programs):
            if results[index] is None and isinstance(program, str):
                results[index] = results[first[program]]
        return results  # type: ignore[return-value]

    def info(self) -> dict:
        """Identity, environment and limits reported by one worker (for tests and diagnostics)."""
        worker = self.borrow(block=True)
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
            self.hand_back(worker)

    # -- lending workers (used by fdd.programs.batch) ---------------------------------------------

    def borrow(self, *, block: bool) -> WorkerProcess | None:
        """An idle worker, or a new one while under `size`; else wait (`block`) or None."""
        with self._cond:
            while True:
                if self._closed:
                    raise RuntimeError("the sandbox is closed")
                if self._idle:
                    worker = self._idle.pop()
                    if worker.alive():
                        return worker
                    self._live -= 1  # died while idle (killed from outside): replace it
                    continue
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
            return WorkerProcess(self._python, self._memory_bytes)
        except BaseException:
            with self._cond:
                self._live -= 1
                self._cond.notify()
            raise

    def hand_back(self, worker: WorkerProcess) -> None:
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

    def discard(self, worker: WorkerProcess) -> None:
        """Forget a worker that died (its process is already reaped)."""
        with self._cond:
            self._live -= 1
            self._cond.notify()

    def others_waiting(self) -> bool:
        """Whether another caller is blocked in `borrow` (a batch then returns workers early)."""
        return self._waiting > 0

    def _after_fork_in_child(self) -> None:
        """A forked child (e.g. a Celery prefork worker) must not use the parent's workers or a lock
        some other thread held at the fork: start afresh, leaving the parent's processes alone."""
        self._cond = threading.Condition()
        self._idle, self._live, self._waiting = [], 0, 0


_SANDBOXES: weakref.WeakSet[Sandbox] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for sandbox in list(_SANDBOXES):
        sandbox._after_fork_in_child()


os.register_at_fork(after_in_child=_after_fork_in_child)
