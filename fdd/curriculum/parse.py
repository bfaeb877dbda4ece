"""Reading a word problem back into statements, from its text alone.

``parse(text)`` splits the text into sentences, matches every sentence against the curriculum's
phrasings (``templates`` compiled to regular expressions), resolves pronouns, and interprets the
result (``semantics.solve``). Anything it cannot read in full — an unknown sentence, a word outside
the lexicon, a question about something never stated, an answer that would not be a whole number —
raises ``Declined(reason)``; it never guesses. Real GSM8K questions are therefore declined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from fdd.curriculum.grammar import KINDS, PERSON_ARGS, Problem, Stmt, stmt
from fdd.curriculum.render import resolve
from fdd.curriculum.semantics import Inconsistent, solve
from fdd.curriculum.slots import SLOT, UnknownWord, read_slot, slot_regex
from fdd.curriculum.templates import TEMPLATES, Template

MAX_SENTENCES = 24
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


class Declined(ValueError):
    """The text is not a problem the curriculum can read; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class _Compiled:
    template: Template
    regex: re.Pattern[str]
    slots: tuple[str, ...]
    anchor: str  # the template's longest fixed text: a cheap test before the regular expression


@lru_cache(maxsize=1)
def _compiled() -> dict[str, list[_Compiled]]:
    by_first_word: dict[str, list[_Compiled]] = {}
    for rows in TEMPLATES.values():
        for t in rows:
            slots = tuple(SLOT.findall(t.pattern))
            parts = SLOT.split(t.pattern)  # literal, slot, literal, slot, ...
            regex = "".join(
                re.escape(part) if i % 2 == 0 else f"({slot_regex(part, t.kind)})"
                for i, part in enumerate(parts)
            )
            first = parts[0].split(" ")[0] if parts[0] else "*"
            anchor = max(parts[::2], key=len)
            by_first_word.setdefault(first, []).append(_Compiled(t, re.compile(regex), slots, anchor))
    return by_first_word


def _read(sentence: str) -> tuple[Template, dict] | None:
    first = sentence.split(" ", 1)[0]
    table = _compiled()
    for c in [*table.get(first, []), *table.get("*", [])]:
        match = c.regex.fullmatch(sentence) if c.anchor in sentence else None
        if match is None:
            continue
        args = dict(c.template.fixed)
        consistent = True
        for slot, word in zip(c.slots, match.groups(), strict=True):
            try:
                read = read_slot(slot, c.template.kind, word)
            except UnknownWord:
                consistent = False
                break
            if read is None:
                continue
            name, value = read
            consistent = consistent and args.get(name, value) == value
            args[name] = value
        if consistent:
            return c.template, args
    return None


def _resolve_people(args: dict, slots: tuple[str, ...], history: list[str], sentence: str) -> None:
    for role in [s for s in slots if s in PERSON_ARGS]:
        name = args[role]
        if name in ("he", "she"):
            name = resolve(name, history)
            if name is None:
                raise Declined(f"no one for the pronoun in {sentence!r}")
            args[role] = name
        history.append(name)


def read_statements(text: str) -> tuple[list[Stmt], Stmt]:
    """The statements and the question of ``text`` (``Declined`` if any sentence is unreadable)."""
    sentences = [s for s in _SENTENCE_END.split(" ".join(text.split())) if s]
    if not sentences or not sentences[-1].endswith("?"):
        raise Declined("the text does not end with a question")
    if len(sentences) > MAX_SENTENCES:
        raise Declined(f"more than {MAX_SENTENCES} sentences")
    history: list[str] = []
    read: list[Stmt] = []
    for i, sentence in enumerate(sentences):
        found = _read(sentence)
        if found is None:
            raise Declined(f"cannot read sentence {i + 1}: {sentence!r}")
        template, args = found
        if template.kind.startswith("q_") != (i == len(sentences) - 1):
            raise Declined(
                f"sentence {i + 1} is {'a question' if i < len(sentences) - 1 else 'not a question'}"
            )
        _resolve_people(args, tuple(SLOT.findall(template.pattern)), history, sentence)
        read.append(stmt(template.kind, **{k: v for k, v in args.items() if k in KINDS[template.kind]}))
    return read[:-1], read[-1]


def templates_of(text: str) -> list[str]:
    """The template key (``kind/index``) each sentence of ``text`` matches (``Declined`` if one does not)."""
    keys = []
    for sentence in (s for s in _SENTENCE_END.split(" ".join(text.split())) if s):
        found = _read(sentence)
        if found is None:
            raise Declined(f"cannot read sentence {sentence!r}")
        keys.append(found[0].key)
    return keys


def parse(text: str) -> Problem:
    """The problem ``text`` states, with its program and answer; raises ``Declined(reason)``."""
    statements, question = read_statements(text)
    try:
        solution = solve(statements, question)
    except Inconsistent as exc:
        raise Declined(f"the problem does not add up: {exc}") from None
    return Problem(
        text=text,
        answer=solution.answer,
        steps=solution.steps,
        ops=solution.ops,
        program=solution.program,
        statements=tuple(statements),
        question=question,
    )
