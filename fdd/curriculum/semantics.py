"""The meaning of a statement sequence: a straight-line PoT program and its integer answer.

``solve(statements, question)`` interprets the facts in text order, emitting one program line per
number written in the text (``apples = 12``) and per arithmetic step (``left = apples - given``),
tracks the values, and refuses (``Inconsistent``) anything a GSM8K-style problem must not contain: a
quantity used before it is known, a negative or fractional intermediate, a value above ``LIMIT``.
Lines that do not lead to the answer (distractor facts) are dropped, so ``steps`` counts only the
arithmetic the question needs. Generation, parsing and the teacher all use this one interpreter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from fdd.curriculum.grammar import Stmt
from fdd.curriculum.lexicon import MONEY, WORD_TIMES, singular, verb_forms

LIMIT = 10_000


class Inconsistent(ValueError):
    """The statements do not describe a well-formed problem (the reason is the message)."""


@dataclass(frozen=True)
class Line:
    """One program line ``var = expr``; ``op`` is None for a number copied from the text."""

    var: str
    expr: str
    deps: tuple[str, ...]
    op: str | None
    value: int


@dataclass(frozen=True)
class Solution:
    """The program that answers a question, with its answer, step count and operations."""

    lines: tuple[Line, ...]
    answer: int

    @property
    def steps(self) -> int:
        return sum(1 for line in self.lines if line.op)

    @property
    def ops(self) -> tuple[str, ...]:
        return tuple(line.op for line in self.lines if line.op)

    @property
    def program(self) -> str:
        body = [f"{line.var} = {line.expr}" for line in self.lines]
        return "\n".join([*body, f"ans = {self.lines[-1].var}"])


def _slug(word: str) -> str:
    return word.lower().replace(" ", "_")


def qty(person: str, item: str) -> str:
    """Variable stem of a person's quantity of an item (``mia_apples``, ``leo_money``)."""
    return f"{_slug(person)}_{'money' if item == MONEY else _slug(item)}"


@dataclass
class Interp:
    """Interpreter state: emitted lines, values, and what each phrase of the text refers to."""

    lines: list[Line] = field(default_factory=list)
    values: dict[str, int] = field(default_factory=dict)
    has: dict[tuple[str, str], str] = field(default_factory=dict)
    totals: dict[tuple, str] = field(default_factory=dict)  # ("lost"|"spent"|"done"|"each"|"packed", ...)
    known: dict[tuple, str] = field(default_factory=dict)  # ("per", container, item), ("price", item), ...
    pending: dict[tuple, list] = field(default_factory=dict)

    # -- emitting -------------------------------------------------------------------------------
    def _fresh(self, base: str) -> str:
        if base not in self.values:
            return base
        k = 2
        while f"{base}_{k}" in self.values:
            k += 1
        return f"{base}_{k}"

    def literal(self, base: str, number: int) -> str:
        """Emit ``base = number`` for a number written in the text."""
        self._check(number, base)
        var = self._fresh(base)
        self.lines.append(Line(var, str(number), (), None, number))
        self.values[var] = number
        return var

    def compute(self, base: str, op: str, fmt: str, deps: Sequence[str], fn: Callable[..., int]) -> str:
        """Emit ``base = fmt.format(*deps)`` computing ``fn(*values)``; checks the value is sound."""
        value = fn(*(self.values[d] for d in deps))
        self._check(value, base)
        var = self._fresh(base)
        self.lines.append(Line(var, fmt.format(*deps), tuple(deps), op, value))
        self.values[var] = value
        return var

    def divide(self, base: str, op: str, fmt: str, deps: Sequence[str], num: int, den: int) -> str:
        """Emit an exact integer division ``x * num // den`` (refused when it is not exact)."""
        x = self.values[deps[0]]
        if (x * num) % den:
            raise Inconsistent(f"{x} * {num} is not divisible by {den}")
        return self.compute(base, op, fmt, deps, lambda *vals: x * num // den)

    @staticmethod
    def _check(value: int, what: str) -> None:
        if value < 0:
            raise Inconsistent(f"{what} would be negative ({value})")
        if value > LIMIT:
            raise Inconsistent(f"{what} would exceed {LIMIT} ({value})")

    # -- references -----------------------------------------------------------------------------
    def holding(self, person: str, item: str) -> str:
        """The variable holding what ``person`` has of ``item`` now."""
        try:
            return self.has[(person, item)]
        except KeyError:
            raise Inconsistent(f"nothing is known about {person}'s {item}") from None

    def set_has(self, person: str, item: str, var: str) -> None:
        self.has[(person, item)] = var

    def add_to(self, key: tuple, base: str, var: str) -> None:
        """Accumulate ``var`` into a running total (spent, sold, earned...)."""
        if key in self.totals:
            var = self.compute(base, "add", "{} + {}", (self.totals[key], var), lambda a, b: a + b)
        self.totals[key] = var

    def receive(self, person: str, item: str, var: str) -> None:
        """``person`` gets ``var`` more of ``item``: adds it to what they hold, or starts holding it."""
        if (person, item) in self.has:
            old = self.has[(person, item)]
            var = self.compute(qty(person, item), "add", "{} + {}", (old, var), lambda a, b: a + b)
        self.has[(person, item)] = var

    def take(self, person: str, item: str, var: str, verb: str) -> None:
        """``person`` loses ``var`` of ``item`` (sold, eaten, spent...), which is also counted."""
        old = self.holding(person, item)
        left = self.compute(qty(person, item), "subtract", "{} - {}", (old, var), lambda a, b: a - b)
        self.has[(person, item)] = left
        key = ("spent", person) if item == MONEY else ("lost", person, item, verb)
        self.add_to(key, "spent" if item == MONEY else f"{verb_forms(verb)[2]}_total", var)

    def result(self, question: Stmt) -> str:
        from fdd.curriculum.questions import answer_var

        return answer_var(self, question)


def times_of(rel: str, n: int | None) -> tuple[int, int]:
    """The (numerator, denominator) of a multiplicative comparison."""
    return (n, 1) if rel == "times" else WORD_TIMES[rel]


def item_label(item: str) -> str:
    return "money" if item == MONEY else singular(item)


def solve(statements: Sequence[Stmt], question: Stmt) -> Solution:
    """Interpret ``statements`` then ``question``; the pruned program and answer (or ``Inconsistent``)."""
    from fdd.curriculum.facts import apply

    interp = Interp()
    for statement in statements:
        apply(interp, statement)
    target = interp.result(question)
    return Solution(tuple(_needed(interp.lines, target)), interp.values[target])


def _needed(lines: list[Line], target: str) -> list[Line]:
    want = {target}
    keep = []
    for line in reversed(lines):
        if line.var in want:
            keep.append(line)
            want.update(line.deps)
    keep.reverse()
    if keep[-1].var != target:
        raise Inconsistent("the answer is not computed last")  # cannot happen: kept for safety
    return keep
