"""The offline synthetic teacher: answers fdd's three prompts from the curriculum's grammar.

It reads the task and the problem text back from the chat messages (``fdd.prompts.parse_request``),
as an LLM would, with no hidden metadata; parses the text with ``fdd.curriculum.parse``; and writes,
per sample, a PoT rationale (an equivalent paraphrase of the problem's program — names, order,
inlined numbers differ between samples — and, with probability ``error_rate``, a wrong one: an
operation swapped or a step dropped), or a harder / similar problem (``complexify`` / ``similar``)
between ``<problem>`` tags. Text it cannot parse is declined with ``fdd.prompts.decline(reason)``,
which holds no program. Sample i of a request is a pure function of (backend seed, request seed,
problem text, task, i); temperature and top_p are accepted and ignored. Token counts are word counts.

It stands in for a remote LLM, so with ``processes`` > 0 it writes in processes of its own, as a remote
model computes elsewhere: the calls made in one turn of the event loop go together to the pool (one
batch per process), and the teacher's loop is free meanwhile to verify earlier answers. In its event
loop, the writing was 42 % of the teacher's CPU during the demo's GENERATE stages (py-spy), all of it
on one core while the other waited.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import random
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import lru_cache

from fdd.curriculum import Declined, complexify, parse, similar
from fdd.curriculum.grammar import Problem
from fdd.curriculum.rewrite import corrupt, paraphrase
from fdd.prompts import Task, decline
from teacher.backends.base import BackendError, ScriptedBackend

_DISTINCT_TRIES = 8
Call = tuple[Task, str, int, "int | None"]  # (task, text, n, seed) of one ``answers`` call


@lru_cache(maxsize=8192)
def _read(text: str) -> Problem | Declined:
    """``parse(text)``, or why it cannot be read; remembered: each of a problem's k samples is a call of its
    own, and reading the text was a third of the time of writing a rationale."""
    try:
        return parse(text)
    except Declined as exc:
        return exc


class SyntheticBackend(ScriptedBackend):
    """A deterministic offline teacher over the built-in curriculum."""

    name = "synthetic"
    model = "fdd-curriculum-v1"

    def __init__(self, error_rate: float = 0.1, seed: int = 0, processes: int = 0) -> None:
        if not 0.0 <= error_rate <= 1.0:
            raise ValueError(f"error_rate must be within [0, 1], got {error_rate}")
        if processes < 0:
            raise ValueError(f"processes must be 0 (write in the event loop) or more, got {processes}")
        self.error_rate = error_rate
        self.seed = seed
        self.processes = processes
        self._pool: Executor | None = None
        self._waiting: list[tuple[Call, asyncio.Future[list[str]]]] = []

    def _rng(self, task: Task, text: str, request_seed: int | None, index: int, attempt: int = 0):
        key = f"{self.seed}|{request_seed}|{task}|{index}|{attempt}|{text}"
        return random.Random(hashlib.sha256(key.encode("utf-8")).hexdigest())

    def _rationale(self, problem: Problem, rng: random.Random) -> str:
        program = paraphrase(problem.program, rng)
        if rng.random() < self.error_rate:
            try:
                program = corrupt(program, rng)
            except ValueError:  # nothing to get wrong (a problem without arithmetic)
                pass
        return f"```python\n{program}\n```"

    def _variant(self, task: Task, problem: Problem, rng: random.Random) -> str:
        make = complexify if task == Task.COMPLEX else similar
        try:
            return f"<problem>\n{make(problem, rng).text}\n</problem>"
        except ValueError as exc:
            return decline(f"cannot write a {task} variant of this problem: {exc}")

    def _answers(self, task: Task, text: str, n: int, seed: int | None) -> list[str]:
        problem = _read(text)
        if isinstance(problem, Declined):
            return [decline(f"I cannot read this problem: {problem.reason}")] * n
        answers: list[str] = []
        for i in range(n):
            for attempt in range(_DISTINCT_TRIES):  # samples differ from each other when they can
                rng = self._rng(task, text, seed, i, attempt)
                answer = (
                    self._rationale(problem, rng)
                    if task == Task.RATIONALE
                    else self._variant(task, problem, rng)
                )
                if answer not in answers:
                    break
            answers.append(answer)
        return answers

    async def answers(self, task: Task, text: str, n: int, seed: int | None) -> list[str]:
        if self.processes == 0:
            return self._answers(task, text, n, seed)
        future: asyncio.Future[list[str]] = asyncio.get_running_loop().create_future()
        if not self._waiting:  # the first call of this turn sends the turn's calls when the turn ends
            asyncio.get_running_loop().call_soon(self._send)
        self._waiting.append(((task, text, n, seed), future))
        return await future

    def _send(self) -> None:
        waiting, self._waiting = self._waiting, []
        if self._pool is None:
            # spawned, not forked: the teacher has threads (sandbox calls, the cache writer)
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self.processes, mp_context=context)
        pool = self._pool
        size = -(-len(waiting) // self.processes)
        for start in range(0, len(waiting), size):
            part = waiting[start : start + size]
            try:
                done = pool.submit(write_batch, self.error_rate, self.seed, [call for call, _ in part])
            except RuntimeError as exc:  # a broken pool (BrokenProcessPool) or one shut down
                self._forget(pool)
                self._fail(part, exc)
                continue
            asyncio.wrap_future(done).add_done_callback(lambda f, part=part: self._deliver(pool, part, f))

    def _forget(self, pool: Executor) -> None:
        """Drop ``pool`` if it is still the current one: the next turn starts a new pool (a late failure
        of an old pool must not drop a newer one)."""
        if self._pool is pool:
            self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)

    def _deliver(
        self, pool: Executor, part: list[tuple[Call, asyncio.Future[list[str]]]], done: asyncio.Future
    ) -> None:
        error = RuntimeError("cancelled") if done.cancelled() else done.exception()
        if error is not None:
            if isinstance(error, BrokenProcessPool):
                self._forget(pool)
            self._fail(part, error)
            return
        for (_, future), answers in zip(part, done.result(), strict=True):
            if not future.done():
                future.set_result(answers)

    @staticmethod
    def _fail(part: list[tuple[Call, asyncio.Future[list[str]]]], exc: BaseException | None) -> None:
        error = BackendError(f"the synthetic teacher's writing process failed: {exc!r}", retryable=True)
        for _, future in part:
            if not future.done():
                future.set_exception(error)

    async def aclose(self) -> None:
        if self._pool is not None:
            self._forget(self._pool)


def write_batch(error_rate: float, seed: int, calls: list[Call]) -> list[list[str]]:
    """The answers of ``calls``, written in a pool process (``SyntheticBackend(processes=…)``)."""
    backend = SyntheticBackend(error_rate, seed)
    return [backend._answers(*call) for call in calls]
