"""Generating random word problems with an exact number of steps, deterministically under a seed.

A problem is grown as a chain on one *focus* quantity: a start (someone has an amount; boxes of
items; a rate for a time; a purchase), then operations on the focus (gain, loss, comparison with a
new person, more boxes, a percentage or fraction taken, earnings, purchases), then a question that
may add a last step (a total or difference of two people, an even share, packing, what was sold).
Distractor facts about other people or things are mixed in. Numbers come from ``numbers.fill``;
the final program and step count come from ``semantics.solve``, and attempts that miss the target
step count are thrown away and redrawn.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from fdd.curriculum.build import Retry, build_problem
from fdd.curriculum.facts import apply
from fdd.curriculum.grammar import Problem, Stmt, stmt
from fdd.curriculum.lexicon import FEMALE, ITEMS, MALE, MONEY
from fdd.curriculum.numbers import amount, fill
from fdd.curriculum.ops import CHAIN_OPS, FINISHERS, START_OPS
from fdd.curriculum.semantics import Inconsistent, Interp

MAX_STEPS = 8
DISTRACTOR_RATE = 0.3
MONEY_RATE = 0.25


@dataclass
class Draft:
    """A problem being grown: its statements so far, their interpretation and the focus quantity."""

    rng: random.Random
    stmts: list[Stmt] = field(default_factory=list)
    it: Interp = field(default_factory=Interp)
    people: list[str] = field(default_factory=list)
    focus: tuple[str, str] = ("", "")
    mode: str = "has"  # "has": the focus is what someone holds; "spent": what someone has spent
    partner: str | None = None  # a person whose amount of the focus item is known (for totals)
    question: Stmt | None = None

    def person(self) -> str:
        """A name not used yet in this problem."""
        names = [n for n in self.rng.choice((FEMALE, MALE)) if n not in self.people]
        name = self.rng.choice(names)
        self.people.append(name)
        return name

    def item(self) -> str:
        return MONEY if self.rng.random() < MONEY_RATE else self.rng.choice(sorted(ITEMS))

    def value(self, person: str | None = None, item: str | None = None) -> int:
        """What ``person`` (default: the focus person) holds of ``item`` (default: the focus item)."""
        return self.it.values[self.it.has[(person or self.focus[0], item or self.focus[1])]]

    def add(self, s: Stmt, *, drawn: bool = False) -> bool:
        """Draw ``s``'s numbers (unless ``drawn``) and append it; False when no numbers fit."""
        filled = s if drawn else fill(self.it, s, self.rng)
        if filled is None:
            return False
        try:
            apply(self.it, filled)
        except Inconsistent as exc:
            raise Retry(str(exc)) from None
        self.stmts.append(filled)
        return True

    def insert(self, s: Stmt) -> None:
        """Place an independent fact at a random position (solve recomputes the order)."""
        self.stmts.insert(self.rng.randint(0, len(self.stmts)), s)


def _grow(rng: random.Random, steps: int) -> Draft:
    draft = Draft(rng)
    starts = [(op, cost) for op, cost in START_OPS if cost <= steps]
    remaining = steps - _try_ops(draft, starts)
    while draft.question is None:
        if remaining == 0 or (remaining == 1 and rng.random() < 0.7):
            finishers = [(op, cost) for op, cost in FINISHERS[draft.mode] if cost == remaining]
            if _try_ops(draft, finishers, strict=False) is not None:
                break
        if remaining == 0:
            raise Retry("no question fits")
        chain = [(op, cost) for op, cost in CHAIN_OPS[draft.mode] if cost <= remaining]
        remaining -= _try_ops(draft, chain)
    return draft


def _try_ops(draft: Draft, ops: list[tuple[Callable, int]], strict: bool = True) -> int | None:
    ops = list(ops)
    draft.rng.shuffle(ops)
    for op, cost in ops:
        if op(draft):
            return cost
    if strict:
        raise Retry("no operation fits")
    return None


def _distract(draft: Draft) -> None:
    rng = draft.rng
    for _ in range(2 if rng.random() < 0.15 else 1):
        used = {s.args.get("item") for s in draft.stmts}
        item = rng.choice(sorted(set(ITEMS) - used))
        choice = rng.random()
        if choice < 0.5:
            person = draft.person() if rng.random() < 0.6 else rng.choice(draft.people)
            fact = stmt("have", P=person, item=item, n=amount(rng, item))
        elif choice < 0.75:
            fact = stmt("price", item=item, n=rng.randint(2, 25))
        else:
            fact = stmt("per", container=rng.choice(ITEMS[item].containers), item=item, n=rng.randint(2, 12))
        draft.insert(fact)


def generate(
    rng: random.Random, steps: int, *, attempts: int = 500, distractor_rate: float = DISTRACTOR_RATE
) -> Problem:
    """A random problem whose program has exactly ``steps`` arithmetic steps (1..``MAX_STEPS``); with
    probability ``distractor_rate`` it also states one or two facts the answer does not need."""
    if not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be between 1 and {MAX_STEPS}, got {steps}")
    if not 0.0 <= distractor_rate <= 1.0:
        raise ValueError(f"distractor_rate must be between 0 and 1, got {distractor_rate}")
    for _ in range(attempts):
        try:
            draft = _grow(rng, steps)
            if rng.random() < distractor_rate:
                _distract(draft)
            problem = build_problem(draft.stmts, draft.question, rng)
        except Retry:
            continue
        if problem.steps == steps:
            return problem
    raise RuntimeError(f"could not generate a {steps}-step problem in {attempts} attempts")


def problem_for_seed(seed: int, steps: int) -> Problem:
    """The problem of a given seed and step count (the same on every machine and run)."""
    return generate(random.Random(f"fdd-curriculum/{seed}/{steps}"), steps)
