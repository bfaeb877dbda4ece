"""Turning completions into verdicts: extract the program, run it in the sandbox, read its answer.

Programs are untrusted and run only in an ``fdd.programs.Sandbox`` (a pool of locked-down worker
processes, owned by the app's lifespan), called from a thread so the event loop keeps serving.
Extraction, canonical forms and execution are deterministic for a given text, so they are memoised
(execution only when it finished: time-outs and memory failures depend on load); a cache hit then costs
no parsing at all, and k identical samples are parsed once.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

from fdd.programs import Sandbox, extract, measure
from fdd.programs.results import ErrorKind, ExecResult

NO_PROGRAM = "no_program"
_TRANSIENT = {ErrorKind.TIMEOUT, ErrorKind.MEMORY}
TRANSIENT_VERDICTS = frozenset(str(kind) for kind in _TRANSIENT)  # verdicts that depend on load
_MEMO_ITEMS = 20_000


@lru_cache(maxsize=_MEMO_ITEMS)
def extract_program(text: str) -> str | None:
    """``fdd.programs.extract``, memoised."""
    return extract(text)


# Steps by canonical form: the programs the teacher returns are canonical forms, and they come back as the
# parents of the next round's variants, whose steps a complex variant must exceed (a canonical form has
# its program's steps: only layout, comments and docstrings differ).
_CANONICAL_STEPS: OrderedDict[str, int] = OrderedDict()
_CANONICAL_ITEMS = 100_000


@lru_cache(maxsize=_MEMO_ITEMS)
def _measures(program: str) -> tuple[str, int]:
    canonical, steps = measure(program)
    _CANONICAL_STEPS[canonical] = steps
    _CANONICAL_STEPS.move_to_end(canonical)
    if len(_CANONICAL_STEPS) > _CANONICAL_ITEMS:
        _CANONICAL_STEPS.popitem(last=False)
    return canonical, steps


def canonical_form(program: str) -> str:
    """``fdd.programs.canonicalize``, memoised (with the step count: one parse gives both)."""
    return _measures(program)[0]


def program_steps(program: str) -> int:
    """``fdd.programs.count_steps``, memoised (with the canonical form: one parse gives both); a canonical
    form this teacher wrote is not parsed again."""
    known = _CANONICAL_STEPS.get(program)
    return known if known is not None else _measures(program)[1]


@dataclass(frozen=True)
class Verdict:
    """What one completion amounts to: its program (if any), ``verdict`` and numeric answer."""

    program: str | None
    verdict: str
    answer: float | None


class Executor:
    """Runs batches of programs in the sandbox, with a bounded memo of deterministic results."""

    def __init__(self, sandbox: Sandbox, timeout_s: float, memo_size: int = _MEMO_ITEMS) -> None:
        self.sandbox = sandbox
        self.timeout_s = timeout_s
        self.memo_size = memo_size
        self._memo: OrderedDict[str, ExecResult] = OrderedDict()

    async def judge(self, texts: list[str]) -> list[Verdict]:
        """The verdict of each completion text, in order (one sandbox batch for the whole list)."""
        programs = [extract_program(text) for text in texts]
        results = await self.run([p for p in programs if p is not None])
        verdicts = []
        for program in programs:
            if program is None:
                verdicts.append(Verdict(None, NO_PROGRAM, None))
                continue
            result = results[program]
            if result.ok and result.value is not None:
                verdicts.append(Verdict(program, "ok", float(result.value)))
            else:
                verdicts.append(Verdict(program, str(result.error_kind or "error"), None))
        return verdicts

    async def run(self, programs: list[str]) -> dict[str, ExecResult]:
        """Execution results by program text; each distinct program runs at most once."""
        results: dict[str, ExecResult] = {}
        todo: list[str] = []
        for program in dict.fromkeys(programs):
            memo = self._memo.get(program)
            if memo is not None:
                self._memo.move_to_end(program)
                results[program] = memo
            else:
                todo.append(program)
        if todo:
            fresh = await asyncio.to_thread(self.sandbox.execute_many, todo, self.timeout_s)
            for program, result in zip(todo, fresh, strict=True):
                results[program] = result
                if result.error_kind not in _TRANSIENT:
                    self._remember(program, result)
        return results

    def _remember(self, program: str, result: ExecResult) -> None:
        self._memo[program] = result
        while len(self._memo) > self.memo_size:
            self._memo.popitem(last=False)
