"""Number masking for the student: the question's numbers become ``N1, N2 …`` and back.

A Program-of-Thought program mostly copies the question's numbers, so the student learns to *copy a
slot* rather than to spell digits (docs/architecture.md: slots beat whole-number and digit tokens). This
module owns the masking schemes — which spans count as numbers, how they are numbered and how a
generated program is restored before it runs (``transform`` applies them with the other text
transforms). It knows nothing about models or tokenizers.

Two schemes exist; a checkpoint's meta names the one it was trained with:

- ``occurrences`` (current): every number in the question gets its own slot, in order of appearance
  ("3 crates with 3 oranges" → N1, N2). When a value occurs more than once, a program line
  ``name = value`` takes the occurrence whose neighbouring words best match the name's words
  (``pencils = 7`` → the 7 in "orders 7 pencils", not the 7 in "7 apples in each crate"); otherwise
  the i-th use of a value takes the i-th unused occurrence. A literal 1, 2, 3, 4, 12 or 100 inside an
  expression whose occurrences are all named by such lines stays a literal (``// 2`` for "half";
  ``mask_program``).
- ``values`` (checkpoints written before it): one slot per distinct value. A question with a repeated
  number then has fewer slots than its sentences suggest, and a model that learnt "N1 * N2" for
  "N1 crates with N2 oranges" names a slot that does not exist (measured: 22 of 500 held-out
  problems had no answer, nearly all of them ``unknown_slot`` for that reason).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

CURRENT = "occurrences"
SCHEMES = {
    "occurrences": "N<i> for the i-th number in the question; a program literal equal to a repeated "
    "value takes the occurrence whose neighbouring words match its variable's name, else the next "
    "unused occurrence (the last one after that); a literal 1, 2, 3, 4, 12 or 100 inside an expression "
    "whose occurrences are all named by name = value lines stays literal, as do literals not in the "
    "question",
    "values": "N<i> by first appearance of each distinct value in the question; program literals equal "
    "to a question number use its slot; others stay literal",
}

# A number in running text: 1,234.5 / 3.5 / 12. A leading sign is left alone (it is usually a dash).
_TEXT_NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d])|(?<![\w.])\d+(?:\.\d+)?(?![\d])")
# A numeric literal in Python source, not part of a name (x1) or of a longer literal.
_CODE_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])")
CODE_SLOT = re.compile(r"(?<![\w.])N(\d+)(?![\w.])")
# A slot in masked question text, where it may end a sentence ("costs $N1.").
TEXT_SLOT = re.compile(r"(?<![\w.])N(\d+)(?!\w|\.\d)")
_WORD = re.compile(r"[a-z]+")
_ASSIGN = re.compile(r"^\s*([A-Za-z_]\w*)\s*=\s*[\d.,]+\s*$")
_WINDOW = 4  # words on each side of a number that describe it
# Values that words of a question stand for without writing them (half, twice, a third, a quarter, a
# dozen, percent): an inline one equal to a question number the program has named is that word's.
CONSTANTS = {1.0, 2.0, 3.0, 4.0, 12.0, 100.0}


def _stem(word: str) -> str:
    """A crude singular: enough to match "pencils" in a question with ``pencil`` in a name."""
    if len(word) < 4 or not word.endswith("s") or word.endswith("ss"):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "zes", "sses")):
        return word[:-2]
    return word[:-1]


def _words(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower())}


@dataclass
class NumberMap:
    """The slots of one question: ``slots[i]`` is the literal that ``N{i+1}`` stands for."""

    slots: list[str] = field(default_factory=list)
    contexts: list[set[str]] = field(default_factory=list)  # words around each slot's number

    def slots_of(self, literal: str) -> list[str]:
        """Every slot name whose value equals ``literal`` numerically, in question order."""
        value = _value(literal)
        return [f"N{i + 1}" for i, slot in enumerate(self.slots) if _value(slot) == value]


def _value(literal: str) -> float:
    return float(literal.replace(",", ""))


def _clean(literal: str) -> str:
    """A question literal as Python source: without thousands separators."""
    return literal.replace(",", "")


def scheme_of(masking: Mapping[str, Any]) -> str | None:
    """The scheme a checkpoint's ``masking`` meta names: None when masking is off; ``values`` for
    checkpoints written before schemes had names."""
    if not masking.get("enabled", False):
        return None
    scheme = masking.get("scheme")
    return scheme if scheme in SCHEMES else "values"


def mask_question(question: str, scheme: str = CURRENT) -> tuple[str, NumberMap]:
    """Replace each number in ``question`` with its slot name; return the text and the slot map."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown masking scheme {scheme!r}; known: {sorted(SCHEMES)}")
    numbers = NumberMap()

    def replace(match: re.Match[str]) -> str:
        if scheme == "values" and (same := numbers.slots_of(match.group(0))):
            return same[0]
        before = question[: match.start()].split()[-_WINDOW:]
        after = question[match.end() :].split()[:_WINDOW]
        numbers.slots.append(_clean(match.group(0)))
        numbers.contexts.append(_words(" ".join(before + after)))
        return f"N{len(numbers.slots)}"

    return _TEXT_NUMBER.sub(replace, question), numbers


def mask_program(program: str, numbers: NumberMap, scheme: str = CURRENT) -> str:
    """Replace literals of ``program`` that equal a question number with a slot of that number.

    ``name = value`` lines choose first (by the name's words, else the next unused occurrence, else the
    last one). A literal inside an expression then takes an occurrence no line has taken. When every
    occurrence is already named by a ``name = value`` line, a ``CONSTANTS`` value stays a literal: it is
    a constant of its own (``sold = apples // 2`` for "half" when "2 apples per crate" is
    ``per_crate = 2``); any other value reuses the last occurrence (``cm = 156`` then ``3 * 156 + 8``,
    as converted GSM8K programs write), as do inline-only programs (``ans = 114 - 114 * 50 // 100``).
    """
    if scheme == "values":
        return _CODE_NUMBER.sub(lambda m: (numbers.slots_of(m.group(0)) or [m.group(0)])[0], program)
    lines = program.split("\n")
    out = list(lines)
    named: set[str] = set()  # occurrences taken by name = value lines
    for i, line in enumerate(lines):
        if (assign := _ASSIGN.match(line)) is None:
            continue
        hint = {_stem(w) for w in assign.group(1).lower().split("_") if w}

        def by_name(match: re.Match[str], hint: set[str] = hint) -> str:
            same = numbers.slots_of(match.group(0))
            if not same:
                return match.group(0)
            free = [slot for slot in same if slot not in named] or same[-1:]
            if hint and numbers.contexts:
                score = lambda slot: len(hint & numbers.contexts[int(slot[1:]) - 1])  # noqa: E731
                best = max(score(slot) for slot in free)
                free = [slot for slot in free if score(slot) == best]
            named.add(free[0])
            return free[0]

        out[i] = _CODE_NUMBER.sub(by_name, line)
    inline: list[str] = []  # occurrences taken by literals inside expressions, in order

    def in_expression(match: re.Match[str]) -> str:
        same = numbers.slots_of(match.group(0))
        if not same:
            return match.group(0)
        if all(slot in named for slot in same) and _value(match.group(0)) in CONSTANTS:
            return match.group(0)  # every occurrence is named: this 2 is "half", not the crate size
        free = [slot for slot in same if slot not in named and slot not in inline]
        slot = free[0] if free else ([slot for slot in same if slot in inline] or same)[-1]
        inline.append(slot)
        return slot

    for i, line in enumerate(lines):
        if _ASSIGN.match(line) is None:
            out[i] = _CODE_NUMBER.sub(in_expression, line)
    return "\n".join(out)


def unmask_program(program: str, numbers: NumberMap) -> str | None:
    """Restore slot names in a generated program; None when it names a slot the question lacks."""
    missing = False

    def replace(match: re.Match[str]) -> str:
        nonlocal missing
        index = int(match.group(1)) - 1
        if 0 <= index < len(numbers.slots):
            return numbers.slots[index]
        missing = True
        return match.group(0)

    restored = CODE_SLOT.sub(replace, program)
    return None if missing else restored


def renumber_in_order(question: str, program: str) -> tuple[str, str]:
    """Slots renamed ``N1, N2 …`` by first appearance in ``question`` (the program follows)."""
    order = list(dict.fromkeys(TEXT_SLOT.findall(question)))
    mapping = {old: f"N{new}" for new, old in enumerate(order, start=1)}
    rename = lambda m: mapping.get(m.group(1), m.group(0))  # noqa: E731
    return TEXT_SLOT.sub(rename, question), CODE_SLOT.sub(rename, program)
