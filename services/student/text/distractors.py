"""Irrelevant-context augmentation for the student: a stray fact from another problem, inserted.

Small students are easily misled by a sentence the answer does not need (Shi et al., 2023, "Large
language models can be easily distracted by irrelevant context"), and fdd's own error analysis found
held-out problems with such a sentence solved far less often than those without. ``Distractors``
takes the training set's own masked questions, keeps their statements (sentences with a number slot
that do not ask anything) and, each epoch, inserts one of them into a share of the training questions.
The program is unchanged — the inserted numbers are never used — and the slots (and the people and
things of ``entity_symbols``, which become new ones) are renumbered in order of appearance, so the
example is exactly what the masking of such a question would give. Statements
that refer to something outside themselves (pronouns, "this", "another", "then") are never used.

A statement is only inserted where it shares no rare word (a name or an item: words found in at most
``rare_df`` of the questions) with the question, so that it cannot be about the same thing. Nothing
here parses meaning; it is word overlap on masked text. Knows nothing of models or tokenizers.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Sequence

from .entity_symbols import highest_symbols, renumber_symbols
from .number_slots import TEXT_SLOT, renumber_in_order

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[A-Za-z]+")
# A statement that leans on another sentence ("She keeps this up for N2 days") is not self-contained:
# inserted elsewhere it would point at that question's people and things.
_REFERRING = re.compile(
    r"\b(he|she|his|her|him|they|them|their|it|its|this|that|these|those|also|"
    r"another|then|after|later|again)\b",
    re.IGNORECASE,
)


def _words(text: str) -> set[str]:
    return {w.lower().rstrip("s") for w in _WORD.findall(text) if len(w) > 2}


class Distractors:
    """Statements from masked training questions, and the inserting of one into another question."""

    def __init__(self, questions: Sequence[str], rare_df: float = 0.1):
        df: Counter[str] = Counter(w for q in set(questions) for w in _words(q))
        limit = max(1, int(rare_df * len(set(questions))))
        self.common = {w for w, n in df.items() if n > limit}
        self.statements = sorted(
            {
                s
                for q in questions
                for s in _SENTENCE_END.split(q.strip())[:-1]
                if TEXT_SLOT.search(s) and not s.endswith("?") and not _REFERRING.search(s)
            }
        )

    def rare(self, text: str) -> set[str]:
        """The words of ``text`` that name something particular (not found in most questions)."""
        return _words(text) - self.common

    def insert(self, question: str, program: str, rng: random.Random, tries: int = 8) -> tuple[str, str]:
        """``question`` with one unrelated statement inserted before its last sentence (slots
        renumbered, ``program`` renamed to match); the pair unchanged when none fits."""
        sentences = _SENTENCE_END.split(question.strip())
        if len(sentences) < 2 or not self.statements:
            return question, program
        own = self.rare(question)
        offset = 1 + max((int(n) for n in TEXT_SLOT.findall(question)), default=0)
        for _ in range(tries):
            extra = rng.choice(self.statements)
            if self.rare(extra) & own or extra in sentences:
                continue
            extra = TEXT_SLOT.sub(lambda m: f"N{int(m.group(1)) + offset}", extra)
            extra = renumber_symbols(extra, highest_symbols(question))  # its own people and things
            at = rng.randrange(len(sentences))  # before the asking sentence, never after it
            text = " ".join(sentences[:at] + [extra] + sentences[at:])
            question_out, program_out = renumber_in_order(text, program)
            return renumber_symbols(question_out), program_out
        return question, program
