"""Number masking for the student: the question's numbers become ``N1, N2 …`` and back.

A Program-of-Thought program mostly copies the question's numbers, so the student learns to *copy a
slot* rather than to spell digits (DESIGN.md: masking beat whole-number and digit-split tokens). This
module owns the masking scheme — which spans count as numbers, how they are numbered (order of first
appearance in the question, one slot per distinct value) and how a generated program is restored
before it runs. It knows nothing about models or tokenizers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SCHEME = "N<i> by first appearance of each distinct value in the question; program literals equal to a "
SCHEME += "question number use its slot; others stay literal"

# A number in running text: 1,234.5 / 3.5 / 12. A leading sign is left alone (it is usually a dash).
_TEXT_NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d])|(?<![\w.])\d+(?:\.\d+)?(?![\d])")
# A numeric literal in Python source, not part of a name (x1) or of a longer literal.
_CODE_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])")
_SLOT = re.compile(r"(?<![\w.])N(\d+)(?![\w.])")


@dataclass
class NumberMap:
    """The slots of one question: ``slots[i]`` is the literal that ``N{i+1}`` stands for."""

    slots: list[str] = field(default_factory=list)

    def slot_of(self, literal: str) -> str | None:
        """The slot name whose value equals ``literal`` numerically, or None."""
        value = _value(literal)
        for index, slot in enumerate(self.slots):
            if _value(slot) == value:
                return f"N{index + 1}"
        return None


def _value(literal: str) -> float:
    return float(literal.replace(",", ""))


def _clean(literal: str) -> str:
    """A question literal as Python source: without thousands separators."""
    return literal.replace(",", "")


def mask_question(question: str) -> tuple[str, NumberMap]:
    """Replace each number in ``question`` with its slot name; return the text and the slot map."""
    numbers = NumberMap()

    def replace(match: re.Match[str]) -> str:
        slot = numbers.slot_of(match.group(0))
        if slot is None:
            numbers.slots.append(_clean(match.group(0)))
            slot = f"N{len(numbers.slots)}"
        return slot

    return _TEXT_NUMBER.sub(replace, question), numbers


def mask_program(program: str, numbers: NumberMap) -> str:
    """Replace literals of ``program`` that equal a question number with that number's slot."""

    def replace(match: re.Match[str]) -> str:
        return numbers.slot_of(match.group(0)) or match.group(0)

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
