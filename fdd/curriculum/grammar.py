"""The curriculum's abstract syntax: statements, questions and problems.

A word problem is a sequence of ``Stmt`` facts ("Mia has 12 apples", "each box holds 6 apples", ...)
and one question ``Stmt`` (its kind starts with ``q_``). Each fact is one sentence of text; the
meaning of a sequence (its program and answer) is ``semantics.solve``'s job, its wording
``render``'s, and reading it back from text ``parse``'s. This module only defines the shapes and the
table of kinds with their argument names, so that all three agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# kind -> argument names. Person roles: P, Q (question), S/O (subject/object of a comparison).
KINDS: dict[str, tuple[str, ...]] = {
    "have": ("P", "item", "n"),
    "gain": ("P", "item", "n", "verb"),
    "lose": ("P", "item", "n", "verb"),
    "compare": ("S", "O", "item", "rel", "n"),
    "groups": ("P", "item", "n", "container"),
    "per": ("container", "item", "n"),
    "groups_full": ("P", "item", "n", "container", "m"),
    "price": ("item", "n"),
    "buy": ("P", "item", "n"),
    "buy_full": ("P", "item", "n", "m"),
    "rate": ("P", "item", "n", "unit"),
    "duration": ("P", "n", "unit"),
    "percent": ("P", "item", "n", "verb"),
    "fraction": ("P", "item", "frac", "a", "b", "verb"),
    "share": ("P", "item", "n", "recip"),
    "pack": ("P", "item", "n", "container"),
    "q_has": ("P", "item"),
    "q_total": ("P", "Q", "item"),
    "q_diff": ("P", "Q", "item"),
    "q_lost": ("P", "item", "verb"),
    "q_spent": ("P",),
    "q_done": ("P", "item"),
    "q_each": ("recip", "item"),
    "q_packed": ("P", "container"),
}
NUMBER_ARGS = ("n", "m", "a", "b")  # arguments that are numbers written in the text
PERSON_ARGS = ("P", "Q", "S", "O")


@dataclass(frozen=True)
class Stmt:
    """One fact or question: a kind and its arguments (names, words and numbers)."""

    kind: str
    args: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown statement kind {self.kind!r}")
        missing = set(KINDS[self.kind]) - set(self.args)
        if missing:
            raise ValueError(f"{self.kind} needs {sorted(missing)}")

    def __getitem__(self, name: str) -> Any:
        return self.args[name]

    def with_args(self, **changes: Any) -> Stmt:
        """A copy with some arguments replaced."""
        return Stmt(self.kind, {**self.args, **changes})

    @property
    def is_question(self) -> bool:
        return self.kind.startswith("q_")

    def persons(self) -> list[str]:
        """The people this statement names, in argument order."""
        return [self.args[r] for r in PERSON_ARGS if self.args.get(r)]


def stmt(kind: str, **args: Any) -> Stmt:
    """Build a statement, filling arguments the kind has but the caller left out with ``None``."""
    return Stmt(kind, {**dict.fromkeys(KINDS[kind]), **args})


@dataclass(frozen=True)
class Problem:
    """A word problem with its structure, text, gold answer and canonical PoT program.

    ``steps`` counts the program's arithmetic lines; ``ops`` names the operation of each, in order.
    """

    text: str
    answer: int
    steps: int
    ops: tuple[str, ...]
    program: str
    statements: tuple[Stmt, ...]
    question: Stmt

    def record(self, problem_id: str, source: str = "synthetic") -> dict[str, Any]:
        """This problem in fdd's dataset schema (one JSONL line of ``fdd.datasets``)."""
        meta = {"steps": self.steps, "ops": list(self.ops), "program": self.program}
        return {
            "id": problem_id,
            "question": self.text,
            "answer": self.answer,
            "source": source,
            "meta": meta,
        }
