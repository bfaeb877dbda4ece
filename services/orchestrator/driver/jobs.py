"""Student jobs of a stage: recorded, then submitted, then followed until they finish; results typed.

A stage's job gets a deterministic id (``keys.job_id``: run, round, stage, part, attempt). The
``student_jobs`` row is committed with status ``new`` before ``create_job`` is called, and moves to the
student's status after; since creating an existing id returns that job, a crash between the two is
harmless. ``follow_job`` (what a stage calls: parameters built when needed, result typed) makes one
pass per call (submit if needed, look, mirror progress into the round) so that the driver re-reads the
run's status between two looks; a failed job is retried under a new attempt id up to ``job_attempts``
times. Every job of a run goes to the run's ``student.queue`` (None: the student's default queue). Jobs
of cancelled or failed runs are cancelled.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session, sessionmaker

from fdd.clients.student import StudentClient, StudentError
from fdd.wire.student import JobCreate, JobRead, JobStatus
from orchestrator.runs.models import Run, StudentJob
from orchestrator.runs.state import RunStatus, Stage

from . import keys, rounds
from .context import StageContext, StageFailed, StepResult, in_transaction

log = logging.getLogger("orchestrator.driver.jobs")
ResultT = TypeVar("ResultT", bound=BaseModel)
NEW = "new"
OPEN = (NEW, JobStatus.QUEUED.value, JobStatus.RUNNING.value)


def typed(model: type[ResultT], result: dict[str, Any]) -> ResultT:
    """A succeeded job's result as its wire model; a malformed one fails the stage with the reason."""
    try:
        return model.model_validate(result)
    except ValidationError as exc:
        raise StageFailed(f"the student's {model.__name__} did not validate: {exc}") from exc


def _latest(session: Session, round_id: int, prefix: str) -> StudentJob | None:
    return session.scalars(
        sa.select(StudentJob)
        .where(StudentJob.round_id == round_id, StudentJob.job_id.startswith(prefix, autoescape=True))
        .order_by(StudentJob.id.desc())
    ).first()


def _record(session: Session, run_id: int, round_id: int, stage: Stage, prefix: str, kind: str, limit: int):
    """The stage's current job row (job_id, status, result); a new attempt is recorded when needed."""
    row = _latest(session, round_id, prefix)
    if row is None or row.status in (JobStatus.FAILED.value, JobStatus.CANCELLED.value):
        attempt = 0 if row is None else int(row.job_id.rsplit("-a", 1)[1]) + 1
        if attempt >= limit:
            raise StageFailed(f"student {kind} job {row.job_id} {row.status}: {row.error}")  # type: ignore[union-attr]
        row = StudentJob(
            run_id=run_id, round_id=round_id, stage=stage, job_id=f"{prefix}{attempt}", kind=kind, status=NEW
        )
        session.add(row)
        session.flush()
    return row.job_id, row.status, row.result


def _update(session: Session, job_id: str, job: JobRead, round_id: int, progress_key: str) -> None:
    row = session.scalars(sa.select(StudentJob).where(StudentJob.job_id == job_id)).one()
    row.status = job.status.value
    row.error = job.error
    if job.status is JobStatus.SUCCEEDED:
        row.result = job.result or {}
    progress = {**job.progress.model_dump(exclude_none=True), "job_id": job_id}
    rounds.set_progress(session, round_id, progress_key, progress)


async def _current(
    ctx: StageContext, stage: Stage, kind: str, part: int | None
) -> tuple[str, str, dict[str, Any] | None]:
    """(job id, status, result) of ``stage``'s job ``part`` this round; a new attempt recorded if needed."""
    run = ctx.run
    prefix = keys.job_id(run.id, run.round_index, stage.value, 0, part)[:-1]
    return await ctx.db(_record, run.id, run.round_id, stage, prefix, kind, ctx.options.job_attempts)


async def _submit(
    ctx: StageContext, stage: Stage, job_id: str, params: Callable[[], Any], part: int | None
) -> JobRead:
    body = JobCreate(id=job_id, params=await asyncio.to_thread(params), queue=ctx.run.config.student.queue)
    job = await ctx.student.create_job(body)
    await ctx.db(_update, job_id, job, ctx.run.round_id, _progress_key(stage, part))
    return job


def _progress_key(stage: Stage, part: int | None) -> str:
    return stage.value if part is None else f"{stage.value}-{part}"


def _built(ctx: StageContext, build: Callable[[Session], BaseModel]) -> Callable[[], BaseModel]:
    """``build(session)`` in a session of its own, for a job's parameters."""

    def params() -> BaseModel:
        with ctx.maker() as session:
            return build(session)

    return params


async def send_job(
    ctx: StageContext, stage: Stage, kind: str, build: Callable[[Session], BaseModel], part: int | None = None
) -> None:
    """Submit ``stage``'s job ``part`` of this round (parameters from ``build(session)``) unless it is
    submitted already, without following it: a job sent ahead of its stage (EVALUATE's, as GENERATE starts),
    which that stage's ``follow_job`` then follows. A failed one is sent again under its next attempt."""
    job_id, status, _ = await _current(ctx, stage, kind, part)
    if status == NEW:
        await _submit(ctx, stage, job_id, _built(ctx, build), part)


async def poll_job(
    ctx: StageContext, kind: str, params: Callable[[], Any], part: int | None = None
) -> tuple[str, dict[str, Any]] | None:
    """One pass over the stage's student job; (job id, result) once it has succeeded, else None.

    ``params`` builds the job's parameters (called only when the job must be submitted).
    """
    run = ctx.run
    stage = run.stage
    job_id, status, result = await _current(ctx, stage, kind, part)
    if status == JobStatus.SUCCEEDED.value:
        return job_id, result or {}
    asked = time.monotonic()
    if status == NEW:
        job = await _submit(ctx, stage, job_id, params, part)
    else:  # a long poll: the job's end is heard of at once, its progress every poll_s
        job = await ctx.student.get_job(job_id, wait=ctx.options.poll_s)
        await ctx.db(_update, job_id, job, run.round_id, _progress_key(stage, part))
    if job.status is JobStatus.SUCCEEDED:
        return job_id, job.result or {}
    if not job.status.finished and status != NEW:  # the next look follows a new job at once
        await asyncio.sleep(max(0.0, ctx.options.poll_s - (time.monotonic() - asked)))
    return None


async def follow_job(
    ctx: StageContext,
    kind: str,
    build: Callable[[Session], BaseModel],
    model: type[ResultT],
    part: int | None = None,
) -> tuple[str, ResultT] | None:
    """``poll_job`` with parameters built by ``build(session)`` (in a session of its own, only when the job
    must be sent) and the result validated as ``model``: (job id, typed result) once it has succeeded."""

    outcome = await poll_job(ctx, kind, _built(ctx, build), part)
    if outcome is None:
        return None
    job_id, result = outcome
    return job_id, typed(model, result)


async def job_step(
    ctx: StageContext,
    kind: str,
    build: Callable[[Session], BaseModel],
    model: type[ResultT],
    record: Callable[[Session, ResultT], None],
) -> StepResult:
    """The step of a stage that is one student job (TRAIN, CLASSIFY): one look at it (``follow_job``); once
    it has succeeded, ``record(session, result)`` in one commit and DONE."""
    done = await follow_job(ctx, kind, build, model)
    if done is None:
        return StepResult.MORE
    await ctx.db(record, done[1])
    return StepResult.DONE


def _orphans(session: Session) -> list[tuple[str, str]]:
    rows = session.execute(
        sa.select(StudentJob.job_id, StudentJob.status)
        .join(Run, Run.id == StudentJob.run_id)
        .where(Run.status.in_([RunStatus.CANCELLED, RunStatus.FAILED]), StudentJob.status.in_(OPEN))
    ).all()
    return [(job_id, status) for job_id, status in rows]


def _mark_cancelled(session: Session, job_ids: list[str]) -> None:
    session.execute(
        sa.update(StudentJob).where(StudentJob.job_id.in_(job_ids)).values(status=JobStatus.CANCELLED.value)
    )


async def cancel_jobs_of_stopped_runs(maker: sessionmaker[Session], student: StudentClient) -> list[str]:
    """Cancel the open student jobs of cancelled or failed runs; return the ids now marked cancelled.

    A job recorded but never sent (``new``) is only marked; one the student could not be told about
    stays open and is tried again at the next tick.
    """
    cancelled: list[str] = []
    for job_id, status in await in_transaction(maker, _orphans):
        if status != NEW:
            try:
                await student.cancel_job(job_id)
            except Exception as exc:  # the student is down or never got the job: retried next tick
                log.warning("cancel of student job failed", extra={"job_id": job_id, "error": str(exc)})
                if not (isinstance(exc, StudentError) and exc.status == 404):
                    continue
        cancelled.append(job_id)
    if cancelled:
        await in_transaction(maker, _mark_cancelled, cancelled)
    return cancelled
