"""Number masking for the student: the question's numbers become ``N1, N2 …`` and back.

A Program-of-Thought program mostly copies the question's numbers, so the student learns to *copy a
slot* rather than to spell digits (DESIGN.md: masking beat whole-number and digit-split tokens). This
module owns the masking schemes — which spans count as numbers, how they are numbered and how a
generated program is restored before it runs. It knows nothing about models or tokenizers.

Two schemes exist; a checkpoint's meta names the one it was trained with:

- ``occurrences`` (current): every number in the question gets its own slot, in order of appearance
  ("3 crates with 3 oranges" → N1, N2); the i-th use of a value in the program takes the i-th
  occurrence of that value in the question (the last one once they run out).
- ``values`` (checkpoints written before it): one slot per distinct value. A question with a repeated
  number then has fewer slots than its sentences suggest, and a model that learnt "N1 * N2" for
  "N1 crates with N2 oranges" names a slot that does not exist (measured: 4–5 % of held-out
  problems failed with ``unknown_slot`` for that reason alone).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

CURRENT = "occurrences"
SCHEMES = {
    "occurrences": "N<i> for the i-th number in the question; the k-th use of a value in the program "
    "takes the k-th occurrence of that value (the last one after that); other literals stay literal",
    "values": "N<i> by first appearance of each distinct value in the question; program literals equal "
    "to a question number use its slot; others stay literal",
}
SCHEME = SCHEMES[CURRENT]

# A number in running text: 1,234.5 / 3.5 / 12. A leading sign is left alone (it is usually a dash).
_TEXT_NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d])|(?<![\w.])\d+(?:\.\d+)?(?![\d])")
# A numeric literal in Python source, not part of a name (x1) or of a longer literal.
_CODE_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])")
_SLOT = re.compile(r"(?<![\w.])N(\d+)(?![\w.])")


@dataclass
class NumberMap:
    """The slots of one question: ``slots[i]`` is the literal that ``N{i+1}`` stands for."""

    slots: list[str] = field(default_factory=list)

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
        numbers.slots.append(_clean(match.group(0)))
        return f"N{len(numbers.slots)}"

    return _TEXT_NUMBER.sub(replace, question), numbers


def mask_program(program: str, numbers: NumberMap, scheme: str = CURRENT) -> str:
    """Replace literals of ``program`` that equal a question number with a slot of that number."""
    uses: Counter[float] = Counter()

    def replace(match: re.Match[str]) -> str:
        same = numbers.slots_of(match.group(0))
        if not same:
            return match.group(0)
        if scheme == "values":
            return same[0]
        value = _value(match.group(0))
        uses[value] += 1
        return same[min(uses[value], len(same)) - 1]

    return _CODE_NUMBER.sub(replace, program)


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

    restored = _SLOT.sub(replace, program)
    return None if missing else restored
