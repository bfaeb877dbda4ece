"""Sentence templates: every phrasing of every statement kind, used both to write and to read text.

A template is a sentence with slots (``{P} has {n} {items}.``) plus the arguments it fixes (a
comparison's relation, money instead of an item). ``render`` fills a template's slots from a
statement; ``parse`` compiles the same template into a regular expression and reads the arguments
back. Keeping one table for both directions is what makes ``parse(render(p))`` exact. Slot words
come from ``lexicon`` (people, items, containers, verbs...); ``slots`` describes each slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fdd.curriculum.lexicon import MONEY

M = {"item": MONEY}
_T: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "have": [
        ("{P} has {n} {items}.", {}),
        ("{P} owns {n} {items}.", {}),
        ("{P} starts with {n} {items}.", {}),
        ("{P} has a collection of {n} {items}.", {}),
        ("At first, {P} has {n} {items}.", {}),
        ("{P} has ${n}.", M),
        ("{P} has saved ${n}.", M),
        ("{P} starts with ${n}.", M),
        ("{P} has ${n} in {pos} wallet.", M),
    ],
    "gain": [
        ("{P} {V} {n} more {items}.", {}),
        ("Then {P} {V} {n} more {items}.", {}),
        ("Later, {P} {V} another {n} {items}.", {}),
        ("The next day, {P} {V} {n} more {items}.", {}),
        ("{P} earns ${n} more.", M),
        ("Then {P} gets ${n} for {pos} birthday.", M),
        ("Later, {P} earns another ${n}.", M),
    ],
    "lose": [
        ("{P} {V} {n} {items}.", {}),
        ("{P} {V} {n} of {pos} {items}.", {}),
        ("Then {P} {V} {n} of the {items}.", {}),
        ("After that, {P} {V} {n} {items}.", {}),
        ("{P} spends ${n} on {thing}.", {**M, "verb": "spends"}),
        ("Then {P} pays ${n} for {thing}.", {**M, "verb": "spends"}),
        ("{P} spends ${n}.", {**M, "verb": "spends"}),
    ],
    "compare": [
        ("{S} has {n} more {items} than {O}.", {"rel": "more"}),
        ("{S} has {n} {items} more than {O}.", {"rel": "more"}),
        ("{S} owns {n} more {items} than {O} does.", {"rel": "more"}),
        ("{S} has {n} fewer {items} than {O}.", {"rel": "fewer"}),
        ("{S} has {n} {items} fewer than {O}.", {"rel": "fewer"}),
        ("{S} owns {n} fewer {items} than {O} does.", {"rel": "fewer"}),
        ("{S} has {n} times as many {items} as {O}.", {"rel": "times"}),
        ("{S} owns {n} times as many {items} as {O} does.", {"rel": "times"}),
        ("{S} has twice as many {items} as {O}.", {"rel": "twice"}),
        ("{S} has double the number of {items} that {O} has.", {"rel": "twice"}),
        ("{S} has three times as many {items} as {O}.", {"rel": "three times"}),
        ("{S} has triple the number of {items} that {O} has.", {"rel": "three times"}),
        ("{S} has half as many {items} as {O}.", {"rel": "half"}),
        ("{S} has half the number of {items} that {O} has.", {"rel": "half"}),
        ("{S} has ${n} more than {O}.", {**M, "rel": "more"}),
        ("{S} has ${n} less than {O}.", {**M, "rel": "fewer"}),
        ("{S} has {n} times as much money as {O}.", {**M, "rel": "times"}),
        ("{S} has twice as much money as {O}.", {**M, "rel": "twice"}),
        ("{S} has three times as much money as {O}.", {**M, "rel": "three times"}),
        ("{S} has half as much money as {O}.", {**M, "rel": "half"}),
    ],
    "groups": [
        ("{P} has {n} {containers} of {items}.", {}),
        ("{P} buys {n} {containers} of {items}.", {}),
        ("{P} brings {n} {containers} of {items}.", {}),
        ("{P} fills {n} {containers} with {items}.", {}),
    ],
    "per": [
        ("Each {container} holds {n} {items}.", {}),
        ("Each {container} contains {n} {items}.", {}),
        ("There are {n} {items} in each {container}.", {}),
        ("Every {container} has {n} {items}.", {}),
        ("One {container} holds {n} {items}.", {}),
    ],
    "groups_full": [
        ("{P} has {n} {containers} with {m} {items} in each.", {}),
        ("{P} buys {n} {containers} of {items}, and each {container} holds {m} {items}.", {}),
        ("{P} has {n} {containers}, each holding {m} {items}.", {}),
    ],
    "price": [
        ("Each {item} costs ${n}.", {}),
        ("{Items} cost ${n} each.", {}),
        ("One {item} costs ${n}.", {}),
        ("The price of one {item} is ${n}.", {}),
        ("A single {item} sells for ${n}.", {}),
    ],
    "buy": [
        ("{P} buys {n} {items}.", {}),
        ("{P} orders {n} {items}.", {}),
        ("At the store, {P} buys {n} {items}.", {}),
        ("{P} decides to buy {n} {items}.", {}),
    ],
    "buy_full": [
        ("{P} buys {n} {items} for ${m} each.", {}),
        ("{P} buys {n} {items} that cost ${m} each.", {}),
        ("{P} orders {n} {items} at ${m} each.", {}),
    ],
    "rate": [
        ("{P} {V} {n} {items} per {unit}.", {}),
        ("{P} {V} {n} {items} every {unit}.", {}),
        ("{P} {V} {n} {items} each {unit}.", {}),
        ("{P} earns ${n} per {unit}.", M),
        ("{P} earns ${n} every {unit}.", M),
        ("{P} makes ${n} each {unit}.", M),
    ],
    "duration": [
        ("{P} {W} for {n} {units}.", {}),
        ("{P} does this for {n} {units}.", {}),
        ("{P} keeps this up for {n} {units}.", {}),
    ],
    "percent": [
        ("{P} {V} {n}% of {pos} {items}.", {}),
        ("{P} {V} {n} percent of {pos} {items}.", {}),
        ("Then {P} {V} {n}% of the {items}.", {}),
        ("{P} spends {n}% of {pos} money on {thing}.", {**M, "verb": "spends"}),
        ("{P} spends {n} percent of {pos} money.", {**M, "verb": "spends"}),
    ],
    "fraction": [
        ("{P} {V} {frac} of {pos} {items}.", {}),
        ("Then {P} {V} {frac} of the {items}.", {}),
        ("{P} {V} {a}/{b} of {pos} {items}.", {}),
        ("{P} spends {frac} of {pos} money on {thing}.", {**M, "verb": "spends"}),
        ("{P} spends {a}/{b} of {pos} money.", {**M, "verb": "spends"}),
    ],
    "share": [
        ("{P} shares {pos} {items} equally among {n} {recips}.", {}),
        ("{P} divides {pos} {items} equally between {n} {recips}.", {}),
        ("{P} splits {pos} {items} evenly among {n} {recips}.", {}),
        ("{P} gives all of {pos} {items} to {n} {recips}, the same number to each.", {}),
        ("{P} shares {pos} money equally among {n} {recips}.", M),
        ("{P} splits {pos} money evenly between {n} {recips}.", M),
    ],
    "pack": [
        ("{P} packs {pos} {items} into {containers} of {n}.", {}),
        ("{P} puts {pos} {items} into {containers}, {n} in each.", {}),
        ("{P} packs all of {pos} {items} into {containers} that hold {n} each.", {}),
    ],
    "q_has": [
        ("How many {items} does {P} have now?", {}),
        ("How many {items} does {P} have left?", {}),
        ("How many {items} does {P} have in the end?", {}),
        ("How many {items} does {P} have?", {}),
        ("What is the number of {items} {P} has now?", {}),
        ("How much money does {P} have now?", M),
        ("How much money does {P} have left?", M),
        ("How many dollars does {P} have?", M),
        ("How much money does {P} have?", M),
    ],
    "q_total": [
        ("How many {items} do {P} and {Q} have altogether?", {}),
        ("How many {items} do {P} and {Q} have in total?", {}),
        ("What is the total number of {items} that {P} and {Q} have?", {}),
        ("How many {items} do {P} and {Q} have together?", {}),
        ("How much money do {P} and {Q} have altogether?", M),
        ("How much money do {P} and {Q} have in total?", M),
    ],
    "q_diff": [
        ("How many more {items} does {P} have than {Q}?", {}),
        ("How many fewer {items} does {Q} have than {P}?", {}),
        ("What is the difference between the number of {items} {P} has and the number {Q} has?", {}),
        ("How much more money does {P} have than {Q}?", M),
        ("How much less money does {Q} have than {P}?", M),
    ],
    "q_lost": [
        ("How many {items} does {P} {v}?", {}),
        ("How many {items} did {P} {v} in total?", {}),
        ("How many {items} does {P} {v} altogether?", {}),
    ],
    "q_spent": [
        ("How much does {P} spend?", {}),
        ("How much money does {P} spend in total?", {}),
        ("How much does {P} pay altogether?", {}),
        ("How much money did {P} spend?", {}),
    ],
    "q_done": [
        ("How many {items} does {P} {v} in total?", {}),
        ("How many {items} does {P} {v} altogether?", {}),
        ("How many {items} does {P} {v} in all?", {}),
        ("How much money does {P} earn in total?", M),
        ("How much does {P} earn?", M),
        ("How much money does {P} make altogether?", M),
    ],
    "q_each": [
        ("How many {items} does each {recip} get?", {}),
        ("How many {items} does each of the {recips} receive?", {}),
        ("How many {items} will each {recip} get?", {}),
        ("How much money does each {recip} get?", M),
        ("How much money will each {recip} receive?", M),
    ],
    "q_packed": [
        ("How many {containers} does {P} fill?", {}),
        ("How many {containers} does {P} need?", {}),
        ("How many {containers} can {P} fill?", {}),
    ],
}


@dataclass(frozen=True)
class Template:
    """One phrasing of a statement kind: its sentence pattern and the arguments it fixes."""

    kind: str
    index: int
    pattern: str
    fixed: tuple[tuple[str, Any], ...]

    @property
    def key(self) -> str:
        """A stable name, e.g. ``compare/3`` (used to count distinct templates)."""
        return f"{self.kind}/{self.index}"

    def fits(self, args: dict[str, Any]) -> bool:
        """Whether this phrasing can say a statement with ``args`` (same fixed values, same slots)."""
        for name, value in self.fixed:
            if args.get(name) != value:
                return False
        if "item" not in dict(self.fixed) and args.get("item") == MONEY:
            return False
        if self.kind == "fraction":
            return ("{frac}" in self.pattern) == (args.get("frac") is not None)
        return True


TEMPLATES: dict[str, tuple[Template, ...]] = {
    kind: tuple(Template(kind, i, pattern, tuple(fixed.items())) for i, (pattern, fixed) in enumerate(rows))
    for kind, rows in _T.items()
}


def all_templates() -> list[Template]:
    """Every template, statements first and questions last."""
    return [t for rows in TEMPLATES.values() for t in rows]
