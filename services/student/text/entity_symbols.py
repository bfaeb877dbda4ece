"""Entity masking for the student: people become ``P1, P2 …`` and counted things ``X1, X2 …``.

Which facts of a word problem a program needs is decided by *who* and *what* they are about: "Each
cupcake costs $N1" does not matter when Liam buys oranges. A tiny student has to learn that from the
identity of words ("orange" and "oranges" are the same thing, "cupcake" is another), and it learns
it slowly; its most common error on fdd's curriculum was using a number stated about something the
question does not ask about. Masking the words turns that into matching equal symbols, which a small
transformer learns quickly: "P1 buys N1 X1. Each X2 costs $N2. A single X1 sells for $N3."
(measured on the curriculum, 4,000 problems: 84 / 75 / 60 % → 96 / 83 / 74 % on held-out 1 / 2 / 3-step
problems). Programs never name entities once their variables are renamed (``program_form``), so
nothing has to be restored after generation.

``EntityVocab.learn`` reads the training questions once; its word lists are saved in the checkpoint's
meta so that a question is masked the same way in training and in inference (``transform``
applies it):

- a *counted thing* is a plural word right after a number ("5 crates", "N2 apples", "3 more days"),
  in this question or in any training question; its singular forms are the same thing ("each crate",
  "a single mango" for "mangoes", "one strawberry" for "strawberries");
- a *person* is a capitalised word inside a sentence ("than Sara"), or one at the start of a
  sentence that the training questions never wrote in lower case ("Later" is not a person once some
  question says "later"; an unseen name is); pronouns, determiners, question words and common
  openers ("He", "How", "Each", "Yesterday") never are.

Symbols are numbered by first appearance in each question. This is word shape, not parsing: a verb
spelled like a counted noun ("she packs her cards into packs") gets the noun's symbol, consistently in
training and inference. Knows nothing of models, numbers' values or programs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# A number or a number slot, an optional comparative, then the word it counts.
_COUNTED = re.compile(
    r"(?<![\w.])(?:N\d+|\d[\d,]*(?:\.\d+)?)\s+(?:(?:more|fewer|less|extra|other|new)\s+)?([a-z]+)\b"
)
_WORD = re.compile(r"(?<![\w'])[A-Za-z]+(?!\w)")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"]\s+|\n)\s*([A-Z][a-z]*)")
# Capitalised words that are never people, whatever the training questions say (pronouns, determiners,
# question words and the usual sentence openers).
_NEVER_PEOPLE = set(
    "I He She It We You They His Her Its Our My Your Their Him Them The A An This That These Those "
    "There Here Each Every One Two Three Four Five Six Seven Eight Nine Ten Half All Both Some Any "
    "No None Many Much Most How What When Where Which Who Whom Whose Why If Then After Before At In "
    "On For From To By With Of But And Or So Also Later Next First Second Third Finally Now "
    "Yesterday Today Tomorrow Last During While Since Because Altogether Together Meanwhile Instead "
    "Afterwards Another Other Only Not Every Still Yet Again Once Twice However Assuming Suddenly Lastly "
    "Overall Unfortunately Fortunately Currently Initially Additionally Mr Mrs Ms Dr".split()
)
# Words that are never things: words ending in "s" that follow numbers without being counted ("3 times
# as many"), and function words that a plural's singular forms may spell ("toes" would otherwise make
# every "to" a thing, "cans" every "can").
_NEVER_THINGS = set(
    "times this less plus minus does goes sometimes always thus hers ours yours theirs unless across "
    "besides towards afterwards was has his its is as us yes whereas perhaps ones others "
    "to be can more not so do go no on in at it he me we an or of by up the and but for have had were "
    "are will may must should would could few fewer most many much each every some all any one other "
    "second cost costs spend time".split()
)
SYMBOL = re.compile(r"(?<!\w)([PX])(\d+)(?!\w)")


def singulars(plural: str) -> set[str]:
    """The singular spellings a plural may stand for ("mangoes" → mangoe, mango; "berries" → berry)."""
    forms = {plural[:-1]}
    if plural.endswith("es"):
        forms.add(plural[:-2])
    if plural.endswith("ies"):
        forms.add(plural[:-3] + "y")
    return forms


def _counted(question: str) -> set[str]:
    return {
        w for w in _COUNTED.findall(question) if len(w) >= 4 and w.endswith("s") and w not in _NEVER_THINGS
    }


@dataclass
class EntityVocab:
    """Word lists learnt from training questions (saved in the checkpoint meta as ``to_dict()``)."""

    plurals: list[str] = field(default_factory=list)  # counted things, as the plurals seen after numbers
    names: list[str] = field(default_factory=list)  # capitalised words seen inside a sentence
    lower: list[str] = field(default_factory=list)  # words seen in lower case

    def __post_init__(self) -> None:
        self._forms = _forms(self.plurals)
        self._names, self._lower = set(self.names), set(self.lower)

    @classmethod
    def learn(cls, questions: Iterable[str]) -> EntityVocab:
        """The vocabulary of ``questions`` (raw or with numbers already masked)."""
        plurals: set[str] = set()
        names: set[str] = set()
        lower: set[str] = set()
        for question in questions:
            plurals |= _counted(question)
            starts = {m.start(1) for m in _SENTENCE_START.finditer(question)}
            for match in _WORD.finditer(question):
                word = match.group(0)
                if word[0].islower():
                    lower.add(word)
                elif len(word) > 1 and match.start() not in starts:
                    names.add(word)
        forms = _forms(plurals)
        names = {n for n in names if n.lower() not in forms and n not in _NEVER_PEOPLE}
        return cls(sorted(plurals), sorted(names), sorted(lower))

    def mask(self, question: str) -> str:
        """``question`` with people as ``P1, P2 …`` and counted things as ``X1, X2 …``."""
        extra = {w for w in _counted(question) if w not in self._forms}
        forms = {**_forms(extra), **self._forms} if extra else self._forms
        starts = {m.start(1) for m in _SENTENCE_START.finditer(question)}
        # a capitalised word inside one of this question's sentences names a person everywhere in it
        # ("Mark has 3 marks. Ann gives Mark 2 marks." — both Marks are P1), as do the training names
        here = {
            m.group(0)
            for m in _WORD.finditer(question)
            if m.group(0)[0].isupper() and m.start() not in starts and m.group(0) not in _NEVER_PEOPLE
        }
        named = here | self._names if here else self._names
        people: dict[str, int] = {}
        things: dict[str, int] = {}

        def replace(match: re.Match[str]) -> str:
            word = match.group(0)
            at_start = match.start() in starts
            lookup = word[0].islower() or (at_start and word not in named)
            thing = forms.get(word.lower()) if lookup else None
            if thing is not None:
                return f"X{things.setdefault(thing, len(things) + 1)}"
            if word[0].isupper() and len(word) > 1 and self._is_person(word, at_start, named):
                return f"P{people.setdefault(word, len(people) + 1)}"
            return word

        return _WORD.sub(replace, question)

    def _is_person(self, word: str, at_start: bool, named: set[str]) -> bool:
        if word in _NEVER_PEOPLE:
            return False
        if not at_start or word in named:
            return True
        return word.lower() not in self._lower

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (the checkpoint meta's ``entities``)."""
        return {"plurals": self.plurals, "names": self.names, "lower": self.lower}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EntityVocab:
        """The vocabulary saved by ``to_dict``."""
        return cls(*(list(data.get(k, [])) for k in ("plurals", "names", "lower")))


def _forms(plurals: Iterable[str]) -> dict[str, str]:
    """Every spelling of every counted thing → the thing (its plural); a plural wins over a singular."""
    forms: dict[str, str] = {}
    for plural in sorted(plurals):
        for form in singulars(plural):
            if len(form) >= 3 and form not in _NEVER_THINGS:
                forms.setdefault(form, plural)
    for plural in plurals:
        if plural not in _NEVER_THINGS:
            forms[plural] = plural
    return forms


def renumber_symbols(text: str, offset: dict[str, int] | None = None) -> str:
    """``P``/``X`` symbols shifted by ``offset`` per family (default: renumbered by first appearance)."""
    if offset is not None:
        return SYMBOL.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + offset.get(m.group(1), 0)}", text)
    order: dict[tuple[str, str], int] = {}
    counts: dict[str, int] = {}
    for family, number in SYMBOL.findall(text):
        if (family, number) not in order:
            counts[family] = counts.get(family, 0) + 1
            order[(family, number)] = counts[family]
    return SYMBOL.sub(lambda m: f"{m.group(1)}{order[(m.group(1), m.group(2))]}", text)


def highest_symbols(text: str) -> dict[str, int]:
    """The highest ``P`` and ``X`` number used in ``text`` (0 when none)."""
    top = {"P": 0, "X": 0}
    for family, number in SYMBOL.findall(text):
        top[family] = max(top[family], int(number))
    return top
