"""ORM models of the problems slice: a run's problem pool, rationales, difficulty labels and rejections.

A problem's lineage is its ``parent_id`` chain up to a seed problem; its labels (one per round it was
classified in) say why it got children: easy → complex variants, hard → similar problems.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.db import Base
from orchestrator.enums import AnswerSource, LabelValue, Origin, ProblemRole, WorkKind, enum_column
from orchestrator.timestamps import JSON, created_at_column


def problem_fk() -> sa.ForeignKey:
    return sa.ForeignKey("problems.id", ondelete="CASCADE")


class Problem(Base):
    __tablename__ = "problems"
    __table_args__ = (
        sa.UniqueConstraint("run_id", "content_hash"),
        # covers the run's problem counts by round and origin that every GET /runs/{id} reads
        sa.Index("ix_problems_run_id_round_created_origin", "run_id", "round_created", "origin"),
        sa.Index("ix_problems_run_id_id", "run_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("runs.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(sa.String(200))
    question: Mapped[str] = mapped_column(sa.Text)
    answer: Mapped[float] = mapped_column(sa.Float)
    answer_source: Mapped[AnswerSource] = mapped_column(enum_column(AnswerSource), default=AnswerSource.GOLD)
    origin: Mapped[Origin] = mapped_column(enum_column(Origin), default=Origin.SEED)
    parent_id: Mapped[int | None] = mapped_column(problem_fk(), index=True)
    round_created: Mapped[int] = mapped_column(default=0)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    steps: Mapped[int | None] = mapped_column()
    role: Mapped[ProblemRole] = mapped_column(enum_column(ProblemRole), default=ProblemRole.TRAIN)
    leak_score: Mapped[float | None] = mapped_column(sa.Float)
    leak_match: Mapped[str | None] = mapped_column(sa.String(200))
    teacher_backend: Mapped[str | None] = mapped_column(sa.String(100))
    teacher_model: Mapped[str | None] = mapped_column(sa.String(200))
    prompt_version: Mapped[str | None] = mapped_column(sa.String(100))
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = created_at_column()


class Rationale(Base):
    __tablename__ = "rationales"
    __table_args__ = (sa.UniqueConstraint("problem_id", "program_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(problem_fk())
    program: Mapped[str] = mapped_column(sa.Text)
    program_hash: Mapped[str] = mapped_column(sa.String(64))
    answer: Mapped[float | None] = mapped_column(sa.Float)
    correct: Mapped[bool] = mapped_column(default=True)
    verdict: Mapped[str] = mapped_column(sa.String(32), default="ok")
    backend: Mapped[str | None] = mapped_column(sa.String(100))
    model: Mapped[str | None] = mapped_column(sa.String(200))
    prompt_version: Mapped[str | None] = mapped_column(sa.String(100))
    prompt_tokens: Mapped[int] = mapped_column(default=0)
    completion_tokens: Mapped[int] = mapped_column(default=0)
    cost_usd: Mapped[float] = mapped_column(sa.Float, default=0.0)
    round_index: Mapped[int] = mapped_column(default=0)


class Label(Base):
    __tablename__ = "labels"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "problem_id"),
        sa.Index("ix_labels_round_id_label", "round_id", "label"),  # covers a round's label counts
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"))
    problem_id: Mapped[int] = mapped_column(problem_fk(), index=True)
    label: Mapped[LabelValue] = mapped_column(enum_column(LabelValue))
    pass_rate: Mapped[float] = mapped_column(sa.Float, default=0.0)
    outputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Rejection(Base):
    __tablename__ = "rejections"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"))
    parent_problem_id: Mapped[int | None] = mapped_column(problem_fk())
    kind: Mapped[WorkKind] = mapped_column(enum_column(WorkKind))
    text: Mapped[str] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.String(64))
    detail: Mapped[str | None] = mapped_column(sa.Text)
    leak_score: Mapped[float | None] = mapped_column(sa.Float)
    created_at: Mapped[datetime] = created_at_column()
