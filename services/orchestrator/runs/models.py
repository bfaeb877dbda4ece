"""ORM models of the runs slice: runs, rounds, evaluations, student jobs and per-item work records.

``Run.status``/``Run.stage``/``Run.current_round`` and ``Round.status`` are changed only through
``orchestrator.runs.state``. ``WorkItem`` rows make the teacher stages resumable after a crash; ``StudentJob``
rows are written (with their deterministic job id) before the job is sent to the student service.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.db import Base
from orchestrator.enums import WorkKind, WorkStatus, enum_column
from orchestrator.runs.state import RoundStatus, RunStatus, Stage
from orchestrator.timestamps import JSON, Timestamp, created_at_column


def run_fk() -> sa.ForeignKey:
    return sa.ForeignKey("runs.id", ondelete="CASCADE")


def round_fk() -> sa.ForeignKey:
    return sa.ForeignKey("rounds.id", ondelete="CASCADE")


class Run(Base):
    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[RunStatus] = mapped_column(enum_column(RunStatus), default=RunStatus.PENDING, index=True)
    stage: Mapped[Stage] = mapped_column(enum_column(Stage), default=Stage.INIT)
    current_round: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = created_at_column()
    started_at: Mapped[datetime | None] = mapped_column(Timestamp)
    finished_at: Mapped[datetime | None] = mapped_column(Timestamp)
    teacher_cost_usd: Mapped[float] = mapped_column(sa.Float, default=0.0)
    lease_owner: Mapped[str | None] = mapped_column(sa.String(200))
    lease_until: Mapped[datetime | None] = mapped_column(Timestamp)


class Round(Base):
    __tablename__ = "rounds"
    __table_args__ = (sa.UniqueConstraint("run_id", "index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(run_fk())
    index: Mapped[int] = mapped_column()
    stage: Mapped[Stage] = mapped_column(enum_column(Stage), default=Stage.TRAIN)
    status: Mapped[RoundStatus] = mapped_column(enum_column(RoundStatus), default=RoundStatus.PENDING)
    progress: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    checkpoint: Mapped[str | None] = mapped_column(sa.String(500))
    started_at: Mapped[datetime | None] = mapped_column(Timestamp)
    finished_at: Mapped[datetime | None] = mapped_column(Timestamp)


class Evaluation(Base):
    __tablename__ = "evaluations"
    __table_args__ = (sa.UniqueConstraint("round_id", "benchmark"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(round_fk())
    benchmark: Mapped[str] = mapped_column(sa.String(500))
    accuracy: Mapped[float] = mapped_column(sa.Float)
    n: Mapped[int] = mapped_column()
    population_hash: Mapped[str | None] = mapped_column(sa.String(64))
    checkpoint: Mapped[str | None] = mapped_column(sa.String(500))
    by_group: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    job_id: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = created_at_column()


class StudentJob(Base):
    __tablename__ = "student_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(run_fk(), index=True)
    round_id: Mapped[int | None] = mapped_column(round_fk())
    stage: Mapped[Stage] = mapped_column(enum_column(Stage))
    job_id: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    status: Mapped[str] = mapped_column(sa.String(32), default="queued")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = created_at_column()


class WorkItem(Base):
    __tablename__ = "work_items"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "stage", "problem_id", "kind"),
        sa.Index("ix_work_items_round_id_stage_status", "round_id", "stage", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(run_fk(), index=True)
    round_id: Mapped[int] = mapped_column(round_fk())
    stage: Mapped[Stage] = mapped_column(enum_column(Stage))
    problem_id: Mapped[int] = mapped_column(sa.ForeignKey("problems.id", ondelete="CASCADE"))
    kind: Mapped[WorkKind] = mapped_column(enum_column(WorkKind))
    status: Mapped[WorkStatus] = mapped_column(enum_column(WorkStatus), default=WorkStatus.PENDING)
    error: Mapped[str | None] = mapped_column(sa.Text)
