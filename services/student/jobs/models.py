"""The ``student_jobs`` table and the one table of allowed status transitions.

A job's parameters are stored in its row as JSON (a train set of a few MB is fine for Postgres and
SQLite) and loaded only by the worker that runs it (the column is deferred), so listing jobs stays cheap.
``worker`` names the attempt that owns a running job; ``heartbeat_at`` is refreshed by that attempt and
tells a live worker from a dead one. ``sent_at`` is null until the Celery message has been published.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from fdd.wire.student import JobStatus
from fdd_web.database import UTCDateTime
from student.db import Base, utcnow

Q, R, S, F, C = (
    JobStatus.QUEUED,
    JobStatus.RUNNING,
    JobStatus.SUCCEEDED,
    JobStatus.FAILED,
    JobStatus.CANCELLED,
)

# from → allowed targets. running → running is a take-over of a job whose worker died; running → queued
# is the reaper re-queueing it; failed → queued re-sends a job whose message could never be published.
TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    Q: frozenset({R, F, C}),
    R: frozenset({R, Q, S, F, C}),
    F: frozenset({Q}),
    S: frozenset(),
    C: frozenset(),
}


def check_transition(from_: JobStatus, to: JobStatus) -> None:
    """Raise ``ValueError`` if no job may go from ``from_`` to ``to``."""
    if to not in TRANSITIONS[from_]:
        raise ValueError(f"a job cannot go from {from_} to {to}")


class Job(Base):
    __tablename__ = "student_jobs"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED)
    queue: Mapped[str] = mapped_column(String(64), default="cpu")
    params: Mapped[dict[str, Any]] = deferred(mapped_column(JSON))
    progress: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (Index("ix_student_jobs_status_kind", "status", "kind"),)
