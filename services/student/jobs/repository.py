"""Queries on the job rows. Every change of status is one conditional UPDATE through ``transition``.

A conditional UPDATE (``WHERE id = … AND status IN (…) AND …``) is what makes the job rows safe to share
between the API and any number of workers: of two processes racing for the same change, exactly one
sees ``rowcount == 1``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Update, and_, or_, select, update
from sqlalchemy.orm import Session, undefer

from fdd.wire.student import JobStatus
from student.db import utcnow
from student.jobs.models import Job, check_transition


def get(session: Session, job_id: str, *, with_params: bool = False) -> Job | None:
    """The job row, or None. ``with_params`` loads the (possibly large) parameters too."""
    options = [undefer(Job.params)] if with_params else []
    return session.get(Job, job_id, options=options, populate_existing=True)


def add(session: Session, job: Job) -> None:
    session.add(job)
    session.flush()


def list_jobs(
    session: Session, status: JobStatus | None = None, kind: str | None = None, limit: int = 100
) -> Sequence[Job]:
    """Newest first, optionally filtered by status and kind."""
    query = select(Job).order_by(Job.created_at.desc(), Job.id).limit(limit)
    if status is not None:
        query = query.where(Job.status == status)
    if kind is not None:
        query = query.where(Job.kind == kind)
    return session.scalars(query).all()


def transition(
    session: Session,
    job_id: str,
    from_: Collection[JobStatus],
    to: JobStatus,
    *conditions: ColumnElement[bool],
    **values: Any,
) -> bool:
    """Move the job from one of ``from_`` to ``to`` if it is still there (and ``conditions`` hold).

    Returns whether this call made the change; ``values`` are further columns to set with it.
    """
    for source in from_:
        check_transition(source, to)
    now = utcnow()
    if to.finished:
        values.setdefault("finished_at", now)
    statement = (
        update(Job)
        .where(Job.id == job_id, Job.status.in_([str(s) for s in from_]), *conditions)
        .values(status=str(to), updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    return _changed_one(session, statement)


def beat(session: Session, job_id: str, worker: str, progress: dict[str, Any] | None) -> bool:
    """Refresh the heartbeat (and progress) of a running job owned by ``worker``; False if not owned."""
    values: dict[str, Any] = {"heartbeat_at": utcnow()}
    if progress is not None:
        values |= {"progress": progress, "updated_at": values["heartbeat_at"]}
    statement = (
        update(Job)
        .where(Job.id == job_id, Job.worker == worker, Job.status == str(JobStatus.RUNNING))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return _changed_one(session, statement)


def _changed_one(session: Session, statement: Update) -> bool:
    return cast(CursorResult[Any], session.execute(statement)).rowcount == 1


def is_cancel_requested(session: Session, job_id: str) -> bool:
    return bool(session.scalar(select(Job.cancel_requested).where(Job.id == job_id)))


def request_cancel(session: Session, job_id: str) -> bool:
    """Flag a job that has not finished for cancellation; False if it has finished (or is unknown)."""
    unfinished = [str(JobStatus.QUEUED), str(JobStatus.RUNNING)]
    statement = (
        update(Job)
        .where(Job.id == job_id, Job.status.in_(unfinished))
        .values(cancel_requested=True, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return _changed_one(session, statement)


def stale_running(session: Session, cutoff: datetime) -> Sequence[Job]:
    """Running jobs whose worker has not beaten since ``cutoff``."""
    silent = or_(Job.heartbeat_at < cutoff, and_(Job.heartbeat_at.is_(None), Job.updated_at < cutoff))
    return session.scalars(select(Job).where(Job.status == str(JobStatus.RUNNING), silent)).all()


def unsent_queued(session: Session, cutoff: datetime) -> Sequence[Job]:
    """Queued jobs created before ``cutoff`` whose message was never published (the API died in between)."""
    query = select(Job).where(
        Job.status == str(JobStatus.QUEUED), Job.sent_at.is_(None), Job.created_at < cutoff
    )
    return session.scalars(query).all()


def unclaimed_queued(session: Session, cutoff: datetime) -> Sequence[Job]:
    """Queued jobs whose message was last sent before ``cutoff`` and that no worker has claimed since."""
    query = select(Job).where(Job.status == str(JobStatus.QUEUED), Job.sent_at < cutoff)
    return session.scalars(query).all()
