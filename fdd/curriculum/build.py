"""Turning statements into a finished ``Problem``: solve them, then write them as text.

Shared by the generator and the variant operations (``complexify``, ``similar``), which all end the
same way. ``Retry`` is their signal that an attempt drew numbers or entities that do not fit.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from fdd.curriculum.grammar import Problem, Stmt
from fdd.curriculum.render import render
from fdd.curriculum.semantics import Inconsistent, solve


class Retry(Exception):
    """This attempt at making a problem failed; draw again."""


def build_problem(statements: Sequence[Stmt], question: Stmt | None, rng: random.Random) -> Problem:
    """The problem stating ``statements`` and asking ``question``, phrased with ``rng``."""
    if question is None:
        raise Retry("no question")
    try:
        solution = solve(statements, question)
    except Inconsistent as exc:
        raise Retry(str(exc)) from None
    text = render(statements, question, rng).text
    return Problem(
        text=text,
        answer=solution.answer,
        steps=solution.steps,
        ops=solution.ops,
        program=solution.program,
        statements=tuple(statements),
        question=question,
    )
