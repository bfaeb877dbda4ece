"""Closed vocabularies stored in the orchestrator's tables (stored as short strings, not native enums).

Run and round statuses and the stage pointer live in ``orchestrator.runs.state`` with their transitions;
this module holds the remaining value sets and the column type that stores any ``StrEnum`` portably.
"""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa


def enum_column(enum: type[StrEnum]) -> sa.Enum:
    """A VARCHAR(32) column type that reads and writes ``enum`` members by value, on Postgres and SQLite."""
    return sa.Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class DatasetSource(StrEnum):
    BENCHMARK = "benchmark"
    JSONL = "jsonl"
    CURRICULUM = "curriculum"


class Origin(StrEnum):
    """Why a problem is in a run's pool: a seed, or a variant of an easy (complex) / hard (similar) one."""

    SEED = "seed"
    COMPLEX = "complex"
    SIMILAR = "similar"


class AnswerSource(StrEnum):
    GOLD = "gold"
    CONSENSUS = "consensus"


class ProblemRole(StrEnum):
    """``train`` problems are distilled; ``heldout`` seeds are only classified (classify_pool=heldout)."""

    TRAIN = "train"
    HELDOUT = "heldout"


class LabelValue(StrEnum):
    EASY = "easy"
    HARD = "hard"
    NO_ANSWER = "no_answer"


class WorkStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class WorkKind(StrEnum):
    RATIONALE = "rationale"
    COMPLEX = "complex"
    SIMILAR = "similar"
