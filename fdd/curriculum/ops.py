"""The generator's moves: ways to start a problem, to extend its chain, and to ask about it.

Each move takes a ``generate.Draft``, appends statements (numbers drawn by ``numbers.fill`` or
chosen here where a constraint spans two statements) and returns False, leaving the draft as it
was, when it cannot apply. Tables at the end pair each move with the steps it adds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fdd.curriculum.grammar import Stmt, stmt
from fdd.curriculum.lexicon import (
    ITEMS,
    MONEY,
    RATE_UNITS,
    RECIPIENTS,
    category,
    gain_verbs_for,
    lose_verbs_for,
)
from fdd.curriculum.numbers import ANY_FRACTION, amount

if TYPE_CHECKING:
    from fdd.curriculum.generate import Draft


def _two_part(d: Draft, full: Stmt | None, first: Stmt, second: Stmt, *, drawn: bool = False) -> bool:
    """Add a fact told in one sentence (``full``) or two, in either order."""
    roll = d.rng.random()
    if full is not None and roll < 1 / 3:
        return d.add(full, drawn=drawn)
    parts = (first, second) if roll < 2 / 3 else (second, first)
    return all(d.add(p, drawn=drawn) for p in parts)


def _thing(d: Draft) -> str:
    return d.rng.choice(sorted(ITEMS))


# -- starts ---------------------------------------------------------------------------------------
def start_have(d: Draft) -> bool:
    person, item = d.person(), d.item()
    d.focus = (person, item)
    return d.add(stmt("have", P=person, item=item))


def start_groups(d: Draft) -> bool:
    person, item = d.person(), _thing(d)
    d.focus = (person, item)
    return _groups(d, person, item)


def _groups(d: Draft, person: str, item: str) -> bool:
    used = {s.args.get("container") for s in d.stmts if s.args.get("item") == item}
    boxes = [c for c in ITEMS[item].containers if c not in used]  # "each box holds" is said once
    if not boxes:
        return False
    box = d.rng.choice(boxes)
    full = stmt("groups_full", P=person, item=item, container=box)
    return _two_part(
        d, full, stmt("groups", P=person, item=item, container=box), stmt("per", container=box, item=item)
    )


def start_rate(d: Draft) -> bool:
    person, item = d.person(), d.item()
    d.focus = (person, item)
    return _rate(d, person, item)


def _rate(d: Draft, person: str, item: str) -> bool:
    unit = d.rng.choice(RATE_UNITS[category(item)])
    return _two_part(
        d, None, stmt("rate", P=person, item=item, unit=unit), stmt("duration", P=person, unit=unit)
    )


def start_price(d: Draft) -> bool:
    person = d.person()
    d.focus, d.mode = (person, MONEY), "spent"
    return _buy(d, person, _thing(d), budget=None)


def _buy(d: Draft, person: str, item: str, budget: int | None) -> bool:
    rng = d.rng
    options = [(c, p) for c in range(2, 9) for p in range(2, 26) if budget is None or c * p < budget]
    if not options:
        return False
    count, price = rng.choice(options)
    full = stmt("buy_full", P=person, item=item, n=count, m=price)
    return _two_part(
        d, full, stmt("buy", P=person, item=item, n=count), stmt("price", item=item, n=price), drawn=True
    )


# -- chain moves ----------------------------------------------------------------------------------
def gain(d: Draft) -> bool:
    person, item = d.focus
    verbs = gain_verbs_for(item)
    return d.add(stmt("gain", P=person, item=item, verb=d.rng.choice(verbs)[0] if verbs else None))


def lose(d: Draft) -> bool:
    person, item = d.focus
    return d.add(stmt("lose", P=person, item=item, verb=d.rng.choice(lose_verbs_for(item))[0]))


def _rels(x: int, forward: bool) -> list[str]:
    rels = ["more", "fewer", "times"]
    for rel, (num, den) in {"twice": (2, 1), "three times": (3, 1), "half": (1, 2)}.items():
        num, den = (num, den) if forward else (den, num)
        if (x * num) % den == 0 and 0 < x * num // den <= 10_000:
            rels.append(rel)
    return rels


def compare(d: Draft) -> bool:
    person, item = d.focus
    forward = d.rng.random() < 0.7
    rel = d.rng.choice(_rels(d.value(), forward))
    other = d.person()
    pair = {"S": other, "O": person} if forward else {"S": person, "O": other}
    if not d.add(stmt("compare", item=item, rel=rel, **pair)):
        d.people.remove(other)
        return False
    d.focus, d.partner = (other, item), person
    return True


def more_groups(d: Draft) -> bool:
    person, item = d.focus
    return item != MONEY and _groups(d, person, item)


def percent(d: Draft) -> bool:
    person, item = d.focus
    return d.add(stmt("percent", P=person, item=item, verb=d.rng.choice(lose_verbs_for(item))[0]))


def fraction(d: Draft) -> bool:
    person, item = d.focus
    digits = d.rng.random() < 0.35
    verb = d.rng.choice(lose_verbs_for(item))[0]
    return d.add(stmt("fraction", P=person, item=item, frac=None if digits else ANY_FRACTION, verb=verb))


def earn(d: Draft) -> bool:
    person, item = d.focus
    return _rate(d, person, item)


def _unpriced(d: Draft) -> str:
    priced = {s["item"] for s in d.stmts if s.kind in ("buy", "buy_full", "price")}
    return d.rng.choice(sorted(set(ITEMS) - priced))


def spend(d: Draft) -> bool:
    person, item = d.focus
    return item == MONEY and _buy(d, person, _unpriced(d), budget=d.value())


def buy_more(d: Draft) -> bool:
    return _buy(d, d.focus[0], _unpriced(d), budget=None)


# -- questions ------------------------------------------------------------------------------------
def ask_has(d: Draft) -> bool:
    done = d.it.totals.get(("done", *d.focus))
    kind = (
        "q_done" if done is not None and done == d.it.has.get(d.focus) and d.rng.random() < 0.5 else "q_has"
    )
    d.question = stmt(kind, P=d.focus[0], item=d.focus[1])
    return True


def ask_spent(d: Draft) -> bool:
    d.question = stmt("q_spent", P=d.focus[0])
    return True


def _other(d: Draft, below: int | None) -> tuple[str, int] | None:
    """The partner's amount, or a new person's (inserted as an independent fact)."""
    person, item = d.focus
    if d.partner and (d.partner, item) in d.it.has:
        return d.partner, d.value(d.partner)
    n = amount(d.rng, item) if below is None else d.rng.randint(1, below - 1) if below > 2 else None
    if n is None:
        return None
    other = d.person()
    d.insert(stmt("have", P=other, item=item, n=n))
    return other, n


def ask_total(d: Draft) -> bool:
    found = _other(d, None)
    if found is None:
        return False
    pair = [d.focus[0], found[0]]
    d.rng.shuffle(pair)
    d.question = stmt("q_total", P=pair[0], Q=pair[1], item=d.focus[1])
    return True


def ask_difference(d: Draft) -> bool:
    x = d.value()
    found = _other(d, x)
    if found is None or found[1] == x:
        return False
    big, small = (d.focus[0], found[0]) if x > found[1] else (found[0], d.focus[0])
    d.question = stmt("q_diff", P=big, Q=small, item=d.focus[1])
    return True


def ask_share(d: Draft) -> bool:
    person, item = d.focus
    recip = d.rng.choice(sorted(RECIPIENTS))
    if not d.add(stmt("share", P=person, item=item, recip=recip)):
        return False
    d.question = stmt("q_each", recip=recip, item=item)
    return True


def ask_packed(d: Draft) -> bool:
    person, item = d.focus
    if item == MONEY:
        return False
    used = {s.args.get("container") for s in d.stmts if s.args.get("item") == item}
    boxes = [c for c in ITEMS[item].containers if c not in used]  # not a box already said to hold more
    if not boxes:
        return False
    box = d.rng.choice(boxes)
    if not d.add(stmt("pack", P=person, item=item, container=box)):
        return False
    d.question = stmt("q_packed", P=person, container=box)
    return True


def ask_taken(d: Draft) -> bool:
    person, item = d.focus
    move = percent if d.rng.random() < 0.5 else fraction
    if not move(d):
        return False
    last = d.stmts[-1]
    d.question = (
        stmt("q_spent", P=person) if item == MONEY else stmt("q_lost", P=person, item=item, verb=last["verb"])
    )
    return True


START_OPS = [(start_have, 0), (start_have, 0), (start_groups, 1), (start_rate, 1), (start_price, 1)]
CHAIN_OPS = {
    "has": [
        (gain, 1),
        (lose, 1),
        (compare, 1),
        (compare, 1),
        (more_groups, 2),
        (percent, 2),
        (fraction, 2),
        (earn, 2),
        (spend, 2),
    ],
    "spent": [(buy_more, 2)],
}
FINISHERS = {
    "has": [
        (ask_has, 0),
        (ask_total, 1),
        (ask_difference, 1),
        (ask_share, 1),
        (ask_packed, 1),
        (ask_taken, 1),
    ],
    "spent": [(ask_spent, 0)],
}
