"""Choosing the numbers of a statement so that the problem stays well-formed.

``fill(it, statement, rng)`` returns the statement with fresh numbers drawn for its kind, given the
values the interpreter ``it`` holds so far: an amount taken away is smaller than what is held, a
share divides evenly, a percentage of a quantity is whole, products stay below ``LIMIT``. It
returns ``None`` when no number can work (e.g. sharing a prime number of apples). Both the generator
and ``similar`` (which keeps a problem's statements and redraws its numbers) use it.
"""

from __future__ import annotations

import random

from fdd.curriculum.grammar import Stmt
from fdd.curriculum.lexicon import MONEY, WORD_FRACTIONS
from fdd.curriculum.semantics import LIMIT, Interp

ANY_FRACTION = "*"  # placeholder for "any word fraction" in a statement whose numbers fill() draws
PERCENTS = (10, 20, 25, 30, 40, 50, 60, 75, 80)
_NICE = (2, 3, 4, 5, 6, 10, 12)


def _held(it: Interp, person: str, item: str) -> int | None:
    var = it.has.get((person, item))
    return None if var is None else it.values[var]


def amount(rng: random.Random, item: str) -> int:
    """A starting amount of ``item``: often a multiple of a small number, so later steps divide."""
    low, high = (10, 300) if item == MONEY else (5, 120)
    n = rng.randint(low, high)
    if rng.random() < 0.6:
        d = rng.choice(_NICE)
        n = max(d * 2, n - n % d)
    return n


def _below(rng: random.Random, x: int | None) -> int | None:
    """A positive amount smaller than ``x`` (what is taken away from ``x``)."""
    if x is None or x < 2:
        return None
    return rng.randint(1, max(1, min(x - 1, max(2, x * 2 // 3))))


def _divisors(x: int | None, low: int, high: int, min_quotient: int = 1) -> list[int]:
    if not x:
        return []
    return [d for d in range(low, high + 1) if x % d == 0 and x // d >= min_quotient]


def _pick(rng: random.Random, options: list[int]) -> int | None:
    return rng.choice(options) if options else None


def _compare(it: Interp, s: Stmt, rng: random.Random) -> dict | None:
    forward = (s["O"], s["item"]) in it.has
    x = _held(it, s["O"] if forward else s["S"], s["item"])
    rel = s["rel"]
    if x is None:
        return None
    if rel == "more":
        return {"n": rng.randint(2, 40) if forward else _below(rng, x)}
    if rel == "fewer":
        return {"n": _below(rng, x) if forward else rng.randint(2, 40)}
    if rel == "times":
        options = [k for k in range(2, 7) if x * k <= LIMIT] if forward else _divisors(x, 2, 6)
        return {"n": _pick(rng, options)}
    return {}


def _fraction(it: Interp, s: Stmt, rng: random.Random) -> dict | None:
    x = _held(it, s["P"], s["item"])
    if x is None:
        return None
    if s["frac"] is not None:  # a word: keep its kind (unit fractions stay unit) unless ANY_FRACTION
        unit = None if s["frac"] == ANY_FRACTION else WORD_FRACTIONS[s["frac"]][0] == 1
        options = [
            w
            for w, (a, b) in WORD_FRACTIONS.items()
            if (x * a) % b == 0 and x * a // b < x and unit in (None, a == 1)
        ]
        return {"frac": _pick(rng, options)} if options else None
    den = _pick(rng, _divisors(x, 2, 6))
    return None if den is None else {"a": rng.randint(1, den - 1), "b": den}


def _percent(it: Interp, s: Stmt, rng: random.Random) -> dict | None:
    x = _held(it, s["P"], s["item"])
    return {"n": _pick(rng, [p for p in PERCENTS if x and (x * p) % 100 == 0])}


def _draw(it: Interp, s: Stmt, rng: random.Random) -> dict | None:
    kind = s.kind
    held = _held(it, s.args.get("P"), s.args.get("item")) if s.args.get("P") else None
    simple = {
        "have": lambda: {"n": amount(rng, s["item"])},
        "gain": lambda: {"n": rng.randint(5, 100) if s["item"] == MONEY else rng.randint(2, 50)},
        "lose": lambda: {"n": _below(rng, held)},
        "groups": lambda: {"n": rng.randint(2, 9)},
        "per": lambda: {"n": rng.randint(2, 12)},
        "groups_full": lambda: {"n": rng.randint(2, 9), "m": rng.randint(2, 12)},
        "price": lambda: {"n": rng.randint(2, 25)},
        "buy": lambda: {"n": rng.randint(2, 8)},
        "buy_full": lambda: {"n": rng.randint(2, 8), "m": rng.randint(2, 25)},
        "rate": lambda: {"n": rng.randint(2, 30)},
        "duration": lambda: {"n": rng.randint(2, 8)},
        "share": lambda: {"n": _pick(rng, _divisors(held, 2, 12))},
        "pack": lambda: {"n": _pick(rng, _divisors(held, 2, 24, min_quotient=2))},
    }
    if kind in simple:
        return simple[kind]()
    return {"compare": _compare, "fraction": _fraction, "percent": _percent}[kind](it, s, rng)


def fill(it: Interp, s: Stmt, rng: random.Random) -> Stmt | None:
    """``s`` with new numbers valid after the statements ``it`` has interpreted, or None."""
    drawn = _draw(it, s, rng)
    if drawn is None or any(v is None for v in drawn.values()):
        return None
    return s.with_args(**drawn)
