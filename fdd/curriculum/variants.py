"""New problems from old ones: a harder variant (``complexify``) and a similar one (``similar``).

Both work on a problem's statements, so they apply as well to a problem read back from text by
``parse`` as to a generated one. ``complexify`` keeps the situation and adds steps, either by
deriving a stated amount ("Mia has 12 apples" becomes "Mia has 7 apples. She picks 5 more.", or a
comparison with a new person, or boxes times items per box) or by acting on the asked quantity
before the question. ``similar`` keeps the statement kinds, their order and the step count, and
changes the people, items, verbs and numbers, then words everything afresh.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from fdd.curriculum.build import Retry, build_problem
from fdd.curriculum.facts import apply
from fdd.curriculum.grammar import Problem, Stmt, stmt
from fdd.curriculum.lexicon import (
    FEMALE,
    ITEMS,
    MALE,
    MONEY,
    RATE_UNITS,
    RECIPIENTS,
    category,
    gain_verbs_for,
    lose_verbs_for,
)
from fdd.curriculum.numbers import ANY_FRACTION, fill
from fdd.curriculum.semantics import LIMIT, Inconsistent, Interp, solve


def _people(statements: list[Stmt]) -> set[str]:
    return {p for s in statements for p in s.persons()}


def _new_person(rng: random.Random, taken: set[str]) -> str:
    return rng.choice([n for n in FEMALE + MALE if n not in taken])


def _expansions(s: Stmt, rng: random.Random, taken: set[str]) -> list[list[Stmt]]:
    """Ways to state ``have`` fact ``s`` with one more step and the same resulting amount."""
    person, item, n = s["P"], s["item"], s["n"]
    out = []
    if n >= 2:
        d = rng.randint(1, n - 1)
        verbs = gain_verbs_for(item)
        out.append(
            [
                s.with_args(n=n - d),
                stmt("gain", P=person, item=item, n=d, verb=rng.choice(verbs)[0] if verbs else None),
            ]
        )
    d = rng.randint(2, 40)
    if n + d <= LIMIT:
        verb = rng.choice(lose_verbs_for(item))[0]
        out.append([s.with_args(n=n + d), stmt("lose", P=person, item=item, n=d, verb=verb)])
    other = _new_person(rng, taken)
    rels = [("fewer", n + d, d)] + ([("more", n - d, d)] if d < n else [])
    rels += [(r, n // k, None) for r, k in (("twice", 2), ("three times", 3)) if n % k == 0]
    rels += [("times", n // k, k) for k in range(4, 7) if n % k == 0]
    rel, base, number = rng.choice(rels)
    out.append(
        [
            stmt("have", P=other, item=item, n=base),
            stmt("compare", S=person, O=other, item=item, rel=rel, n=number),
        ]
    )
    pairs = [(a, n // a) for a in range(2, 10) if n % a == 0 and n // a >= 2]
    if item != MONEY and pairs:
        count, per = rng.choice(pairs)
        box = rng.choice(ITEMS[item].containers)
        out.append(
            [
                stmt("groups", P=person, item=item, n=count, container=box),
                stmt("per", container=box, item=item, n=per),
            ]
        )
    return out


def _expand(statements: list[Stmt], question: Stmt, rng: random.Random) -> list[tuple[list[Stmt], Stmt]]:
    taken = _people(statements)
    found = []
    for i, s in enumerate(statements):
        if s.kind == "have":
            found += [
                (statements[:i] + e + statements[i + 1 :], question) for e in _expansions(s, rng, taken)
            ]
    return found


def _moves(person: str, item: str, rng: random.Random) -> list[Stmt]:
    lose_verb = rng.choice(lose_verbs_for(item))[0]
    moves = [
        stmt("lose", P=person, item=item, verb=lose_verb),
        stmt("percent", P=person, item=item, verb=lose_verb),
        stmt("fraction", P=person, item=item, frac=ANY_FRACTION, verb=lose_verb),
    ]
    if gain_verbs_for(item) or item == MONEY:
        verbs = gain_verbs_for(item)
        moves.append(stmt("gain", P=person, item=item, verb=rng.choice(verbs)[0] if verbs else None))
    return moves


def _insertions(statements: list[Stmt], question: Stmt, rng: random.Random, tries: int = 8):
    """Variants acting once more on someone's amount at some point of the story."""
    if question.kind == "q_done":  # what was made, changed afterwards: ask what is held in the end
        question = stmt("q_has", P=question["P"], item=question["item"])
    found = []
    for _ in range(tries):
        cut = rng.randint(1, len(statements))
        it = Interp()
        for s in statements[:cut]:
            apply(it, s)
        if not it.has:
            continue
        person, item = rng.choice(sorted(it.has))
        move = fill(it, rng.choice(_moves(person, item, rng)), rng)
        if move is not None:
            found.append((statements[:cut] + [move] + statements[cut:], question))
    if question.kind == "q_spent":
        bought = {s.args.get("item") for s in statements}
        item = rng.choice(sorted(set(ITEMS) - bought))
        purchase = stmt("buy_full", P=question["P"], item=item, n=rng.randint(2, 8), m=rng.randint(2, 25))
        found.append((statements + [purchase], question))
    return found


def _extend_once(statements: list[Stmt], question: Stmt, rng: random.Random) -> tuple[list[Stmt], Stmt]:
    steps = solve(statements, question).steps
    options = _expand(statements, question, rng) + _insertions(statements, question, rng)
    rng.shuffle(options)
    for new_statements, new_question in options:
        try:
            if solve(new_statements, new_question).steps > steps:
                return new_statements, new_question
        except Inconsistent:
            continue
    raise Retry("no way to extend this problem")


def complexify(problem: Problem, rng: random.Random, *, attempts: int = 20) -> Problem:
    """A harder problem in the same situation: one or two extra steps (``ValueError`` if none fits)."""
    for _ in range(attempts):
        statements, question = list(problem.statements), problem.question
        try:
            for _ in range(1 if rng.random() < 0.7 else 2):
                statements, question = _extend_once(statements, question, rng)
            return build_problem(statements, question, rng)
        except Retry:
            continue
    raise ValueError("this problem cannot be extended")


class _Renamer:
    """A consistent substitution of people, items, verbs, containers, recipients and units."""

    def __init__(self, statements: list[Stmt], rng: random.Random) -> None:
        self.rng = rng
        self.maps: dict[str, dict] = {k: {} for k in ("person", "item", "verb", "container", "recip", "unit")}
        self.avoid_people = _people(statements)
        self.avoid_items = {s.args.get("item") for s in statements}

    def _pick(self, table: str, old, choose: Callable[[], object]):
        mapping = self.maps[table]
        if old not in mapping:
            mapping[old] = choose()
        return mapping[old]

    def _item(self, old: str) -> str:
        if old == MONEY:
            return MONEY
        used = set(self.maps["item"].values())
        same = [i for i in sorted(ITEMS) if ITEMS[i].category == ITEMS[old].category and i not in used]
        fresh = [i for i in same if i not in self.avoid_items]
        return self._pick("item", old, lambda: self.rng.choice(fresh or same))

    def _person(self, old: str) -> str:
        used = self.avoid_people | set(self.maps["person"].values())
        return self._pick("person", old, lambda: _new_person(self.rng, used))

    def _verb(self, old: str, item: str) -> str:
        if old == "spends":
            return old
        table = (
            gain_verbs_for(item) if any(v[0] == old for v in gain_verbs_for(item)) else lose_verbs_for(item)
        )
        return self._pick("verb", old, lambda: self.rng.choice(table)[0])

    def __call__(self, s: Stmt) -> Stmt:
        args = dict(s.args)
        for role in ("P", "Q", "S", "O"):
            if args.get(role):
                args[role] = self._person(args[role])
        if args.get("item"):
            args["item"] = self._item(args["item"])
        item = args.get("item")
        if args.get("verb"):
            args["verb"] = self._verb(args["verb"], item)
        if args.get("container"):
            boxes = ITEMS[item].containers if item else tuple(self.maps["container"].values()) or ("box",)
            args["container"] = self._pick("container", args["container"], lambda: self.rng.choice(boxes))
        if args.get("recip"):
            args["recip"] = self._pick("recip", args["recip"], lambda: self.rng.choice(sorted(RECIPIENTS)))
        if args.get("unit") and item:
            args["unit"] = self._pick(
                "unit", args["unit"], lambda: self.rng.choice(RATE_UNITS[category(item)])
            )
        elif args.get("unit"):
            args["unit"] = self.maps["unit"].get(args["unit"], args["unit"])
        return Stmt(s.kind, args)


def _redraw(statements: list[Stmt], rng: random.Random) -> list[Stmt] | None:
    it, out = Interp(), []
    for s in statements:
        filled = fill(it, s, rng)
        if filled is None:
            return None
        try:
            apply(it, filled)
        except Inconsistent:
            return None
        out.append(filled)
    return out


def similar(problem: Problem, rng: random.Random, *, attempts: int = 200) -> Problem:
    """A problem with the same statement kinds and step count but new entities, numbers and wording."""
    for _ in range(attempts):
        rename = _Renamer(list(problem.statements), rng)
        rates_first = sorted(problem.statements, key=lambda s: s.kind != "rate")  # units follow items
        for s in rates_first:
            rename(s)
        statements = _redraw([rename(s) for s in problem.statements], rng)
        if statements is None:
            continue
        try:
            made = build_problem(statements, rename(problem.question), rng)
        except Retry:
            continue
        if made.steps == problem.steps and made.text != problem.text:
            return made
    raise ValueError("no similar problem found")
