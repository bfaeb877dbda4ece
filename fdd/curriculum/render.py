"""Writing a problem's statements as text: one sentence per statement, then the question.

For each statement ``render`` draws one of its kind's phrasings (``templates``), fills the slots
(``slots``) and sometimes refers to the person just mentioned by pronoun. The pronoun rule is shared
with ``parse``: a pronoun means the most recently named person of that gender, and ``render`` uses
one only for the previous sentence's subject when that is also the last person named of its gender,
so reading it back is unambiguous for a person as well as for ``parse``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

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


@dataclass
class Mentions:
    """The people named so far (in order) and the subject of the previous sentence."""

    named: list[str] = field(default_factory=list)
    subject: str | None = None


def _unambiguous(name: str, role: str, t: Template, mentions: Mentions) -> bool:
    """Whether a pronoun for ``name`` reads clearly: it was the previous sentence's subject and is the
    last named person of its gender (the one ``parse`` resolves the pronoun to)."""
    if mentions.subject != name or "{" + role + "} and" in t.pattern:
        return False
    return resolve(PRONOUN[GENDER[name]], mentions.named) == name


def _context(s: Stmt, t: Template, mentions: Mentions, rng: random.Random, rate_items: dict) -> dict:
    persons = [m for m in SLOT.findall(t.pattern) if m in PERSON_SLOTS]
    context: dict[str, str] = {}
    for i, role in enumerate(persons):
        name = s[role]
        if i == 0 and _unambiguous(name, role, t, mentions) and rng.random() < PRONOUN_RATE:
            word = PRONOUN[GENDER[name]]
            context[role] = word.capitalize() if t.pattern.startswith("{" + role + "}") else word
        else:
            context[role] = name
        mentions.named.append(name)
    mentions.subject = s[persons[0]] if persons else None
    if persons:
        context["pos"] = POSSESSIVE[GENDER[s[persons[0]]]]
    context["thing"] = rng.choice(SPEND_ON)
    item = s.args.get("item") or rate_items.get(s.args.get("P"))
    if item and item != MONEY:
        context["V"], context["v"] = _rate_verbs(item)
    context["W"] = "works" if item == MONEY else context.get("V", "works")
    return context


def render_sentence(s: Stmt, t: Template, mentions: Mentions, rng: random.Random, rate_items: dict) -> str:
    """Fill template ``t`` with statement ``s``; ``mentions`` (people named so far) is updated."""
    context = _context(s, t, mentions, rng, rate_items)
    return SLOT.sub(lambda m: write_slot(m.group(1), s.args, context), t.pattern)


class _Choices:
    """Which phrasings fit where: "does this for 3 days" only right after the rate it refers to,
    "At first, ..." only as the opening sentence."""

    def __init__(self) -> None:
        self.open_rates: set[str] = set()  # people whose rate was just stated, awaiting a duration
        self.waiting: set[str] = set()  # people whose duration came before their rate

    def __call__(self, s: Stmt, first: bool) -> list[Template]:
        choices = [t for t in TEMPLATES[s.kind] if t.fits(s.args)]
        if not choices:
            raise ValueError(f"no phrasing for {s.kind} with {s.args}")
        if s.kind == "duration":
            if s["P"] not in self.open_rates:
                choices = [t for t in choices if "{W}" in t.pattern]
                self.waiting.add(s["P"])
            self.open_rates.discard(s["P"])
        elif s.kind == "rate":
            if s["P"] in self.waiting:
                self.waiting.discard(s["P"])
            else:
                self.open_rates.add(s["P"])
        if not first:
            choices = [t for t in choices if not t.pattern.startswith("At first")] or choices
        return choices


def render(statements: Sequence[Stmt], question: Stmt, rng: random.Random) -> Rendered:
    """The text of a problem: a random phrasing of every statement, then of the question."""
    rate_items = {s["P"]: s["item"] for s in statements if s.kind == "rate"}
    mentions = Mentions()
    sentences, used = [], []
    choose = _Choices()
    for s in [*statements, question]:
        template = rng.choice(choose(s, first=not sentences))
        sentences.append(render_sentence(s, template, mentions, rng, rate_items))
        used.append(template.key)
    return Rendered(" ".join(sentences), tuple(used))
