"""The curriculum's vocabulary: people, items, containers, verbs, recipients, rates and units.

This module owns every word the grammar may put in a slot, with the few facts the grammar needs about
it (a person's pronoun, an item's singular form, which verbs and containers suit it). It knows nothing
about sentences: ``templates`` builds phrasings from these words, ``generate`` draws from them.
"""

from __future__ import annotations

from dataclasses import dataclass

MONEY = "dollars"  # the pseudo-item for money; rendered as "$12", never as "12 dollars"

FEMALE = (
    "Mia Ava Emma Olivia Sofia Lily Grace Chloe Zoe Hannah Nora Ella Ruby Alice Maya Julia Sara Rosa "
    "Nina Lucy Clara Ivy Leah Amara Priya Elena Hazel Layla Freya Tessa"
).split()
MALE = (
    "Leo Sam Ben Noah Liam Omar Jack Ryan Max Owen Eli Tom Luke Adam Carlos Ravi Ivan Hugo Felix Kai "
    "Mateo Jonah Theo Aaron Dylan Marco Diego Tariq Victor Henry"
).split()
GENDER = {**dict.fromkeys(FEMALE, "f"), **dict.fromkeys(MALE, "m")}
PRONOUN = {"f": "she", "m": "he"}
POSSESSIVE = {"f": "her", "m": "his"}


@dataclass(frozen=True)
class Item:
    """A countable thing people own: its plural (the key), singular, category and containers."""

    plural: str
    singular: str
    category: str
    containers: tuple[str, ...]


def _items(category: str, containers: str, words: str) -> list[Item]:
    made = []
    for word in words.split(","):
        plural, singular = word.strip().split("/")
        made.append(Item(plural, singular, category, tuple(containers.split())))
    return made


ITEMS: dict[str, Item] = {
    item.plural: item
    for item in (
        _items("fruit", "basket bag crate box", "apples/apple, oranges/orange, lemons/lemon, peaches/peach")
        + _items("fruit", "basket bag box", "strawberries/strawberry, plums/plum, pears/pear, mangoes/mango")
        + _items(
            "baked", "box tray jar", "cookies/cookie, cupcakes/cupcake, muffins/muffin, brownies/brownie"
        )
        + _items("things", "box pack", "pencils/pencil, crayons/crayon, markers/marker, erasers/eraser")
        + _items("things", "pack sheet", "stickers/sticker, stamps/stamp")
        + _items("things", "bag jar box", "marbles/marble, beads/bead, buttons/button, shells/shell")
        + _items("things", "pack box", "cards/card, balloons/balloon")
        + _items("things", "shelf box", "books/book, comics/comic")
    )
}

CONTAINER_PLURAL = {
    "basket": "baskets",
    "bag": "bags",
    "crate": "crates",
    "box": "boxes",
    "tray": "trays",
    "jar": "jars",
    "pack": "packs",
    "sheet": "sheets",
    "shelf": "shelves",
}

# Verbs as (third person singular, base form, variable name for the amount) by item category.
GAIN_VERBS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "fruit": (("buys", "buy", "bought"), ("picks", "pick", "picked"), ("gets", "get", "received")),
    "baked": (("bakes", "bake", "baked"), ("buys", "buy", "bought"), ("gets", "get", "received")),
    "things": (("buys", "buy", "bought"), ("finds", "find", "found"), ("collects", "collect", "collected")),
}
LOSE_VERBS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "fruit": (("eats", "eat", "eaten"), ("sells", "sell", "sold"), ("gives away", "give away", "given")),
    "baked": (("eats", "eat", "eaten"), ("sells", "sell", "sold"), ("gives away", "give away", "given")),
    "things": (("loses", "lose", "lost"), ("sells", "sell", "sold"), ("gives away", "give away", "given")),
    MONEY: (("spends", "spend", "spent"),),
}
# Producing an item at a rate: (verb, base, variable stem, per-unit choices) by category.
RATE_VERBS: dict[str, tuple[str, str, str]] = {
    "fruit": ("picks", "pick", "picked"),
    "baked": ("bakes", "bake", "baked"),
    "things": ("collects", "collect", "collected"),
    MONEY: ("earns", "earn", "earned"),
}
UNITS = {"hour": "hours", "day": "days", "week": "weeks", "minute": "minutes"}
RATE_UNITS = {
    "fruit": ("hour", "day"),
    "baked": ("hour", "day"),
    "things": ("day", "week"),
    MONEY: ("hour", "day", "week"),
}
RECIPIENTS = {
    "friend": "friends",
    "classmate": "classmates",
    "cousin": "cousins",
    "neighbor": "neighbors",
    "teammate": "teammates",
    "child": "children",
}
SPEND_ON = ("lunch", "a book", "a movie ticket", "snacks", "a gift", "a new hat", "groceries", "a toy")
# Word fractions: the phrase and its (numerator, denominator); digit fractions ("2/5") are also read.
WORD_FRACTIONS = {"half": (1, 2), "a third": (1, 3), "a quarter": (1, 4), "three quarters": (3, 4)}
# Word multipliers of comparisons: "twice as many", "half as many", ...
WORD_TIMES = {"twice": (2, 1), "three times": (3, 1), "half": (1, 2)}


def category(item: str) -> str:
    """The category of ``item`` ("fruit", "baked", "things", or ``MONEY``)."""
    return MONEY if item == MONEY else ITEMS[item].category


def singular(item: str) -> str:
    """The singular form of a plural item word."""
    return ITEMS[item].singular


def gain_verbs_for(item: str) -> tuple[tuple[str, str, str], ...]:
    """Verbs that add to ``item`` (empty for money, whose gains have their own sentences)."""
    return () if item == MONEY else GAIN_VERBS[category(item)]


def lose_verbs_for(item: str) -> tuple[tuple[str, str, str], ...]:
    """Verbs that take away from ``item``."""
    return LOSE_VERBS[category(item)]


def verb_forms(verb: str) -> tuple[str, str, str]:
    """The (3sg, base, variable stem) triple of a third-person verb, from any table above."""
    for table in (GAIN_VERBS, LOSE_VERBS):
        for verbs in table.values():
            for forms in verbs:
                if forms[0] == verb:
                    return forms
    for forms in RATE_VERBS.values():
        if forms[0] == verb:
            return forms
    raise KeyError(f"unknown verb {verb!r}")


ALL_GAIN_VERBS = sorted({v[0] for vs in GAIN_VERBS.values() for v in vs})
ALL_LOSE_VERBS = sorted({v[0] for vs in LOSE_VERBS.values() for v in vs})
ALL_RATE_VERBS = sorted({v[0] for v in RATE_VERBS.values()})
