"""The offline synthetic teacher: answers fdd's three prompts from the curriculum's grammar.

It reads the task and the problem text back from the chat messages (``fdd.prompts.parse_request``),
as an LLM would, with no hidden metadata; parses the text with ``fdd.curriculum.parse``; and writes,
per sample, a PoT rationale (an equivalent paraphrase of the problem's program — names, order,
inlined numbers differ between samples — and, with probability ``error_rate``, a wrong one: an
operation swapped or a step dropped), or a harder / similar problem (``complexify`` / ``similar``)
between ``<problem>`` tags. Text it cannot parse is declined with ``fdd.prompts.decline(reason)``,
which holds no program. Sample i of a request is a pure function of (backend seed, request seed,
problem text, task, i); temperature and top_p are accepted and ignored. Token counts are word counts.
"""

from __future__ import annotations

import hashlib
import random

from fdd.curriculum import Declined, complexify, parse, similar
from fdd.curriculum.grammar import Problem
from fdd.curriculum.rewrite import corrupt, paraphrase
from fdd.prompts import Task, decline
from teacher.backends.base import ScriptedBackend

_DISTINCT_TRIES = 8


class SyntheticBackend(ScriptedBackend):
    """A deterministic offline teacher over the built-in curriculum."""

    name = "synthetic"
    model = "fdd-curriculum-v1"

    def __init__(self, error_rate: float = 0.1, seed: int = 0) -> None:
        if not 0.0 <= error_rate <= 1.0:
            raise ValueError(f"error_rate must be within [0, 1], got {error_rate}")
        self.error_rate = error_rate
        self.seed = seed

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
        try:
            problem = parse(text)
        except Declined as exc:
            return [decline(f"I cannot read this problem: {exc.reason}")] * n
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
        return self._answers(task, text, n, seed)
