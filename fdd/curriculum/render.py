"""Writing a problem's statements as text: one sentence per statement, then the question.

For each statement ``render`` draws one of its kind's phrasings (``templates``), fills the slots
(``slots``) and sometimes refers to the person just mentioned by pronoun. The pronoun rule is shared
with ``parse``: a pronoun means the most recently named person of that gender, and ``render`` uses
one only where that person is the one most recently named of all, so reading it back is unambiguous.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from fdd.curriculum.grammar import Stmt
from fdd.curriculum.lexicon import GENDER, MONEY, POSSESSIVE, PRONOUN, RATE_VERBS, SPEND_ON, category
from fdd.curriculum.slots import PERSON_SLOTS, SLOT, write_slot
from fdd.curriculum.templates import TEMPLATES, Template

PRONOUN_RATE = 0.5  # how often a repeated subject is written as a pronoun


@dataclass(frozen=True)
class Rendered:
    """A problem's text and the template each sentence used (for coverage reports)."""

    text: str
    templates: tuple[str, ...]


def resolve(pronoun: str, history: Sequence[str]) -> str | None:
    """The person a pronoun ("he"/"she") refers to: the last named person of that gender."""
    gender = "f" if pronoun.lower() == "she" else "m"
    for name in reversed(history):
        if GENDER[name] == gender:
            return name
    return None


def _rate_verbs(item: str) -> tuple[str, str]:
    verb, base, _ = RATE_VERBS[category(item)]
    return verb, base


def _unambiguous(name: str, role: str, t: Template, history: list[str], previous: list[str]) -> bool:
    """Whether a pronoun for ``name`` reads clearly: it was named last, and no one else of the same
    gender was named in the previous sentence (``parse`` resolves to the last such name anyway)."""
    if not history or history[-1] != name or "{" + role + "} and" in t.pattern:
        return False
    return all(p == name or GENDER[p] != GENDER[name] for p in previous)


def _context(s: Stmt, t: Template, history: list[str], rng: random.Random, rate_items: dict) -> dict:
    persons = [m for m in SLOT.findall(t.pattern) if m in PERSON_SLOTS]
    previous = list(history[-2:])  # at most two people are named in one sentence
    context: dict[str, str] = {}
    for i, role in enumerate(persons):
        name = s[role]
        if i == 0 and _unambiguous(name, role, t, history, previous) and rng.random() < PRONOUN_RATE:
            word = PRONOUN[GENDER[name]]
            context[role] = word.capitalize() if t.pattern.startswith("{" + role + "}") else word
        else:
            context[role] = name
        history.append(name)
    if persons:
        context["pos"] = POSSESSIVE[GENDER[s[persons[0]]]]
    context["thing"] = rng.choice(SPEND_ON)
    item = s.args.get("item") or rate_items.get(s.args.get("P"))
    if item and item != MONEY:
        context["V"], context["v"] = _rate_verbs(item)
    context["W"] = "works" if item == MONEY else context.get("V", "works")
    return context


def render_sentence(s: Stmt, t: Template, history: list[str], rng: random.Random, rate_items: dict) -> str:
    """Fill template ``t`` with statement ``s``; ``history`` (people named so far) is extended."""
    context = _context(s, t, history, rng, rate_items)
    return SLOT.sub(lambda m: write_slot(m.group(1), s.args, context), t.pattern)


def render(statements: Sequence[Stmt], question: Stmt, rng: random.Random) -> Rendered:
    """The text of a problem: a random phrasing of every statement, then of the question."""
    rate_items = {s["P"]: s["item"] for s in statements if s.kind == "rate"}
    history: list[str] = []
    sentences, used = [], []
    stated_rates: set[str] = set()
    for s in [*statements, question]:
        choices = [t for t in TEMPLATES[s.kind] if t.fits(s.args)]
        if s.kind == "duration" and s["P"] not in stated_rates:  # "does this" needs the rate first
            choices = [t for t in choices if "{W}" in t.pattern]
        if sentences:  # "At first, ..." only opens a problem
            choices = [t for t in choices if not t.pattern.startswith("At first")] or choices
        if s.kind == "rate":
            stated_rates.add(s["P"])
        if not choices:
            raise ValueError(f"no phrasing for {s.kind} with {s.args}")
        template = rng.choice(choices)
        sentences.append(render_sentence(s, template, history, rng, rate_items))
        used.append(template.key)
    return Rendered(" ".join(sentences), tuple(used))
