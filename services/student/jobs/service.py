"""The API's rules for jobs: submit (idempotent by id), read, list, cancel, and recover lost workers.

A job is inserted and committed before its Celery message is sent, so a worker never receives an id the
database does not know; if sending fails the job is marked failed with the reason (and a later POST of the
same id sends it again). The task message carries only the job id. Lost workers are found by their stale
heartbeat: their job is re-queued, or failed with a reason once it has used up its attempts. Lost messages
are found by time: a job still queued ``resend_queued_after_s`` after its last send is sent again.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from fdd.references import RefusedReference, check_benchmark_reference, check_model_reference, model_roots
from fdd.wire.student import (
    EvaluateParams,
    JobCreate,
    JobKind,
    JobProgress,
    JobRead,
    JobStatus,
    PredictParams,
    TrainParams,
)
from fdd_web.errors import Conflict, NotFound, Refused, ServiceError, Unavailable
from student.checkpoints import existing_checkpoint
from student.db import utcnow
from student.jobs import repository as repo
from student.jobs.models import Job
from student.settings import StudentSettings

log = logging.getLogger("student.jobs")
SEND_FAILED = "could not queue the job"
WAIT_LOOK_S = 0.05  # how often a long poll (``get``'s ``wait_s``) reads its job: one row by primary key


class Dispatcher(Protocol):
    """Publishes job messages (the Celery app in production)."""

    def send(self, job_id: str, kind: str, queue: str) -> None: ...

    def revoke(self, job_id: str) -> None: ...


def to_read(job: Job, stale_after_s: float | None = None) -> JobRead:
    """The wire view of a row; a running job whose heartbeat is stale says so in its progress message."""
    progress = JobProgress.model_validate(job.progress or {})
    if job.status == JobStatus.RUNNING and stale_after_s is not None and job.heartbeat_at is not None:
        silent = (utcnow() - job.heartbeat_at).total_seconds()
        if silent > stale_after_s:
            progress.message = f"worker silent for {silent:.0f}s; the job will be re-queued or failed"
    return JobRead(
        id=job.id,
        kind=JobKind(job.kind),
        status=JobStatus(job.status),
        progress=progress,
        result=job.result,
        error=job.error,
        attempts=job.attempts,
        created_at=job.created_at,
        updated_at=job.updated_at,
    )


class JobService:
    def __init__(
        self, settings: StudentSettings, sessions: sessionmaker[Session], dispatcher: Dispatcher
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.dispatcher = dispatcher

    def _run(self, work: Callable[[Session], Job | None]) -> Job | None:
        """Run ``work`` in one transaction (committed when it returns) and return its job row."""
        with self.sessions.begin() as session:
            return work(session)

    def _check_references(self, body: JobCreate) -> None:
        """An unknown queue, checkpoint or benchmark, or a host path outside the allowed roots, is a
        404/422 now, not a failed job (or one that waits forever) later."""
        if body.queue is not None and body.queue not in self.settings.queues:
            known = ", ".join(self.settings.queues)
            raise ServiceError(
                f"queue: unknown queue {body.queue!r}; known: {known}", code="unknown_queue", status_code=422
            )
        params = body.params
        if isinstance(params, TrainParams):
            roots = model_roots(self.settings.artifacts_root())
            try:
                check_model_reference(params.base_model, roots)
            except RefusedReference as exc:
                raise Refused("params.base_model", str(exc)) from exc
        if isinstance(params, PredictParams | EvaluateParams):
            existing_checkpoint(self.settings, params.checkpoint)
        if isinstance(params, EvaluateParams) and params.problems is None:
            _check_benchmark_name(params.benchmark)

    def submit(self, body: JobCreate) -> tuple[JobRead, bool]:
        """Create and queue a job; ``(job, False)`` when the same id already exists with the same kind."""
        self._check_references(body)
        job_id = body.id or uuid.uuid4().hex
        kind = str(body.params.kind)
        queue = body.queue or self.settings.queues[0]
        row = Job(
            id=job_id,
            kind=kind,
            status=str(JobStatus.QUEUED),
            queue=queue,
            params=body.params.model_dump(mode="json"),
            progress=JobProgress(stage="queued").model_dump(),
        )
        try:
            with self.sessions.begin() as session:
                repo.add(session, row)
        except IntegrityError:
            return self._existing(job_id, kind), False
        return self._send(job_id, kind, queue), True

    def _existing(self, job_id: str, kind: str) -> JobRead:
        job = self._run(lambda s: repo.get(s, job_id))
        if job is None:  # deleted between the insert and now: cannot happen without manual edits
            raise Conflict(f"job {job_id!r} could not be created; try again")
        if job.kind != kind:
            raise Conflict(f"job {job_id!r} already exists as a {job.kind} job", code="job_kind_conflict")
        if job.status == JobStatus.FAILED and job.sent_at is None:
            # Its message was never published (broker down at submission): send it now.
            with self.sessions.begin() as session:
                requeued = repo.transition(session, job_id, [JobStatus.FAILED], JobStatus.QUEUED, error=None)
            if requeued:
                return self._send(job_id, kind, job.queue)
        return to_read(job, self.settings.stale_after_s)

    def _send(self, job_id: str, kind: str, queue: str) -> JobRead:
        try:
            self.dispatcher.send(job_id, kind, queue)
        except Exception as exc:  # noqa: BLE001 - any broker error fails the job with its reason
            reason = f"{SEND_FAILED}: {type(exc).__name__}: {exc}"[:2000]
            log.warning("job %s: %s", job_id, reason, extra={"job": job_id, "error": reason})
            with self.sessions.begin() as session:
                repo.transition(session, job_id, [JobStatus.QUEUED], JobStatus.FAILED, error=reason)
            raise Unavailable(reason, code="broker_unavailable") from exc
        job = self._run(lambda s: _mark_sent(s, job_id))
        assert job is not None
        return to_read(job, self.settings.stale_after_s)

    def get(self, job_id: str, wait_s: float = 0.0) -> JobRead:
        """The job; with ``wait_s``, once it has finished or that many seconds have passed (a long poll: a
        client polling a running job hears of its end at once, not at its next look)."""
        deadline = time.monotonic() + wait_s
        while True:
            job = self._run(lambda s: repo.get(s, job_id))
            if job is None:
                raise NotFound(f"no job {job_id!r}", code="job_not_found")
            read = to_read(job, self.settings.stale_after_s)
            left = deadline - time.monotonic()
            if read.status.finished or left <= 0:
                return read
            time.sleep(min(WAIT_LOOK_S, left))

    def list_jobs(self, status: JobStatus | None, kind: JobKind | None, limit: int) -> list[JobRead]:
        with self.sessions.begin() as session:
            rows = repo.list_jobs(session, status, str(kind) if kind else None, limit)
            return [to_read(job, self.settings.stale_after_s) for job in rows]

    def cancel(self, job_id: str) -> JobRead:
        """Cancel a queued job at once; flag a running one (its worker stops at the next check)."""
        with self.sessions.begin() as session:
            if repo.get(session, job_id) is None:
                raise NotFound(f"no job {job_id!r}", code="job_not_found")
            if repo.request_cancel(session, job_id):
                repo.transition(
                    session,
                    job_id,
                    [JobStatus.QUEUED],
                    JobStatus.CANCELLED,
                    error="cancelled before it started",
                )
        try:
            self.dispatcher.revoke(job_id)
        except Exception as exc:  # noqa: BLE001 - the DB flag already stops the job; revoke only saves a slot
            log.info("job %s: revoke failed: %s", job_id, exc, extra={"job": job_id, "error": str(exc)})
        return self.get(job_id)

    def reap(self) -> int:
        """Recover jobs whose worker died (stale heartbeat), jobs whose message was never sent, and
        jobs still queued ``resend_queued_after_s`` after their message was sent (the broker may have
        lost it: a restart without persistence). A re-sent message carries the same job id, and a
        worker claims a job only while it is queued (or silent), so a duplicate never runs it twice."""
        now = utcnow()
        cutoff = now - timedelta(seconds=self.settings.stale_after_s)
        resend_cutoff = now - timedelta(seconds=self.settings.resend_queued_after_s)
        with self.sessions.begin() as session:
            stale = list(repo.stale_running(session, cutoff))
            unsent = list(repo.unsent_queued(session, cutoff))
            unclaimed = list(repo.unclaimed_queued(session, resend_cutoff))
        recovered = 0
        for job in stale:
            if self._requeue_or_fail(job):
                recovered += 1
                self._resend(job.id, job.kind, job.queue)
        for job in unsent:
            recovered += 1
            self._resend(job.id, job.kind, job.queue)
        for job in unclaimed:
            waited = (now - job.sent_at).total_seconds() if job.sent_at else 0.0
            log.warning(
                "job %s: still queued %.0fs after its message was sent; sending it again",
                job.id,
                waited,
                extra={"job": job.id},
            )
            recovered += 1
            self._resend(job.id, job.kind, job.queue)
        return recovered

    def _failure_reason(self, job: Job) -> str | None:
        """Why a job whose worker went silent must fail rather than run again (None: re-queue it)."""
        limit = self.settings.task_time_limit_s
        if job.started_at is not None and (utcnow() - job.started_at).total_seconds() > limit:
            return (
                f"time limit: the job ran longer than the hard limit of {limit}s and its worker was stopped"
            )
        if job.attempts >= self.settings.max_attempts:
            silent = f"its worker stopped reporting for over {self.settings.stale_after_s:.0f}s"
            return f"worker lost: {silent} (attempt {job.attempts} of {self.settings.max_attempts})"
        return None

    def _requeue_or_fail(self, job: Job) -> bool:
        """True when the job went back to the queue, False when it failed (or someone else took it)."""
        beat = job.heartbeat_at
        same_beat = Job.heartbeat_at.is_(None) if beat is None else Job.heartbeat_at == beat
        reason = self._failure_reason(job)
        with self.sessions.begin() as session:
            if reason is not None:
                repo.transition(
                    session, job.id, [JobStatus.RUNNING], JobStatus.FAILED, same_beat, error=reason
                )
                log.warning("job %s: failed: %s", job.id, reason, extra={"job": job.id})
                return False
            message = f"re-queued: its worker stopped reporting (attempt {job.attempts})"
            moved = repo.transition(
                session,
                job.id,
                [JobStatus.RUNNING],
                JobStatus.QUEUED,
                same_beat,
                worker=None,
                progress=JobProgress(stage="queued", message=message).model_dump(),
            )
        log.warning("job %s: %s", job.id, message, extra={"job": job.id})
        return moved

    def _resend(self, job_id: str, kind: str, queue: str) -> None:
        """Send from the reaper. On a broker error the job stays queued and a later pass tries again
        (failing it would turn a broker restart into lost jobs, the very thing the re-send is for)."""
        try:
            self.dispatcher.send(job_id, kind, queue)
        except Exception as exc:  # noqa: BLE001 - any broker error: keep the job, retry next pass
            log.warning("job %s: could not send it again: %s", job_id, exc, extra={"job": job_id})
            return
        self._run(lambda s: _mark_sent(s, job_id))


def _mark_sent(session: Session, job_id: str) -> Job | None:
    """Record when the job's message was last published (the reaper re-sends from this time on)."""
    job = repo.get(session, job_id)
    if job is not None:
        job.sent_at = utcnow()
    return job


def _check_benchmark_name(name: str) -> None:
    from fdd.datasets import BENCHMARK_NAMES

    try:
        check_benchmark_reference(name)
    except RefusedReference as exc:
        raise Refused("params.benchmark", str(exc)) from exc
    known = {n for n in BENCHMARK_NAMES if ":" not in n}
    if name.lower() not in known and not name.startswith("jsonl:"):
        raise ServiceError(
            f"params.benchmark: unknown benchmark {name!r}; known: {', '.join(BENCHMARK_NAMES)}",
            code="unknown_benchmark",
            status_code=422,
        )
