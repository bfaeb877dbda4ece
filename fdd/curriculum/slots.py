"""Template slots: the words each ``{slot}`` may hold, how to write it and how to read it back.

For every slot name used in ``templates`` this module gives the regular expression of its possible
words (from ``lexicon``), the statement argument it stands for, and the conversions between the
argument's value and the word in the text (singular/plural, base/third-person verb, capitals).
Slots that carry no meaning (``{pos}`` his/her, ``{thing}`` bought, a rate's verb) are read and
ignored. Person slots hold a name or a pronoun; resolving pronouns is ``render``'s and ``parse``'s.
"""

from __future__ import annotations

import re
from typing import Any

from fdd.curriculum.lexicon import (
    ALL_GAIN_VERBS,
    ALL_LOSE_VERBS,
    ALL_RATE_VERBS,
    CONTAINER_PLURAL,
    GENDER,
    ITEMS,
    MONEY,
    RECIPIENTS,
    SPEND_ON,
    UNITS,
    WORD_FRACTIONS,
    verb_forms,
)

SLOT = re.compile(r"\{(\w+)\}")
PERSON_SLOTS = ("P", "Q", "S", "O")
NUMBER_SLOTS = ("n", "m", "a", "b")
PRONOUNS = ("he", "she", "He", "She")
_LOSE_WORDS = [v for v in ALL_LOSE_VERBS if v != "spends"]
_GAIN_OR_LOSE_BY_KIND = {
    "gain": ALL_GAIN_VERBS,
    "lose": _LOSE_WORDS,
    "percent": _LOSE_WORDS,
    "fraction": _LOSE_WORDS,
    "q_lost": _LOSE_WORDS,
}
SEMANTIC_VERB_KINDS = frozenset(_GAIN_OR_LOSE_BY_KIND)


def _alt(words: list[str] | tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _verbs(kind: str) -> list[str]:
    return _GAIN_OR_LOSE_BY_KIND.get(kind, [v for v in ALL_RATE_VERBS if v != "earns"])


_SINGULAR_ITEM = {item.singular: plural for plural, item in ITEMS.items()}
_CONTAINER = {**{c: c for c in CONTAINER_PLURAL}, **{p: c for c, p in CONTAINER_PLURAL.items()}}
_RECIP = {**{r: r for r in RECIPIENTS}, **{p: r for r, p in RECIPIENTS.items()}}
_UNIT = {**{u: u for u in UNITS}, **{p: u for u, p in UNITS.items()}}


class UnknownWord(ValueError):
    """A slot matched a word outside the lexicon."""


def slot_regex(slot: str, kind: str) -> str:
    """The regular expression (without a group) of the words slot ``slot`` may hold in ``kind``."""
    if slot in PERSON_SLOTS:  # any capitalised word; read_slot refuses names outside the lexicon
        return r"[A-Z][a-z]+|he|she"
    if slot in NUMBER_SLOTS:
        return r"[1-9]\d{0,4}"
    table = {
        "items": lambda: _alt(list(ITEMS)),
        "item": lambda: _alt(list(_SINGULAR_ITEM)),
        "Items": lambda: _alt([w.capitalize() for w in ITEMS]),
        "container": lambda: _alt(list(CONTAINER_PLURAL)),
        "containers": lambda: _alt(list(CONTAINER_PLURAL.values())),
        "recip": lambda: _alt(list(RECIPIENTS)),
        "recips": lambda: _alt(list(RECIPIENTS.values())),
        "unit": lambda: _alt(list(UNITS)),
        "units": lambda: _alt(list(UNITS.values())),
        "V": lambda: _alt(_verbs(kind)),
        "v": lambda: _alt([verb_forms(v)[1] for v in _verbs(kind)]),
        "W": lambda: _alt([*ALL_RATE_VERBS, "works"]),
        "pos": lambda: "his|her",
        "thing": lambda: _alt(SPEND_ON),
        "frac": lambda: _alt(list(WORD_FRACTIONS)),
    }
    try:
        return table[slot]()
    except KeyError:
        raise ValueError(f"unknown template slot {{{slot}}}") from None


def read_slot(slot: str, kind: str, word: str) -> tuple[str, Any] | None:
    """The (argument, value) a word in ``slot`` stands for; None for slots without meaning."""
    if slot in PERSON_SLOTS:
        if word not in GENDER and word not in PRONOUNS:
            raise UnknownWord(f"{word!r} is not a name the curriculum uses")
        return slot, word.lower() if word in PRONOUNS else word
    if slot in NUMBER_SLOTS:
        return slot, int(word)
    if slot in ("items", "item", "Items"):
        return "item", {"items": word, "Items": word.lower()}.get(slot) or _SINGULAR_ITEM[word]
    if slot in ("container", "containers"):
        return "container", _CONTAINER[word]
    if slot in ("recip", "recips"):
        return "recip", _RECIP[word]
    if slot in ("unit", "units"):
        return "unit", _UNIT[word]
    if slot == "frac":
        return "frac", word
    if slot in ("V", "v") and kind in SEMANTIC_VERB_KINDS:
        base_to_verb = {verb_forms(v)[1]: v for v in _verbs(kind)}
        return "verb", word if slot == "V" else base_to_verb[word]
    return None


def write_slot(slot: str, args: dict[str, Any], context: dict[str, str]) -> str:
    """The word for ``slot`` given a statement's ``args``; ``context`` holds people's written forms
    (name or pronoun by role) and the surface choices made by ``render`` (pos, thing, rate verb)."""
    if slot in PERSON_SLOTS:
        return context[slot]
    if slot in NUMBER_SLOTS:
        return str(args[slot])
    item = args.get("item")
    words = {
        "items": lambda: item,
        "item": lambda: ITEMS[item].singular,
        "Items": lambda: item.capitalize(),
        "container": lambda: args["container"],
        "containers": lambda: CONTAINER_PLURAL[args["container"]],
        "recip": lambda: args["recip"],
        "recips": lambda: RECIPIENTS[args["recip"]],
        "unit": lambda: args["unit"],
        "units": lambda: UNITS[args["unit"]],
        "frac": lambda: args["frac"],
    }
    if slot in words:
        return words[slot]()
    if slot in ("V", "v") and args.get("verb"):
        return verb_forms(args["verb"])[0 if slot == "V" else 1]
    if slot in ("V", "v", "W", "pos", "thing"):
        return context[slot]
    raise ValueError(f"unknown template slot {{{slot}}}")


def is_money(item: str | None) -> bool:
    return item == MONEY
