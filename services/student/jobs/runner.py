"""The worker's side of a job: claim it, keep its heartbeat and progress fresh, honour cancel, finish it.

``run_job`` is what every Celery task calls with the job id. Claiming is a conditional UPDATE, so a job is
never run by two workers: a redelivered message for a finished job does nothing, one for a job running
elsewhere with a fresh heartbeat does nothing, and one for a running job whose heartbeat is stale takes
it over (counting an attempt; past ``max_attempts`` the job fails with the reason). While the job runs, a
small thread writes the latest progress and the heartbeat every ``heartbeat_interval_s`` and reads the
cancel flag; ``should_stop()`` is then a cheap in-memory check the library may call at every step.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fdd.wire.student import JobProgress, JobStatus
from student.db import session_scope, utcnow
from student.jobs import repository as repo
from student.jobs.models import Job
from student.settings import StudentSettings

log = logging.getLogger("student.worker")


class JobStopped(Exception):
    """Raised inside a job when it must stop: cancelled by a user, or taken over by another worker."""


@dataclass
class JobContext:
    """What a job's work function gets: its id, parameters, settings and the progress/stop hooks."""

    job_id: str
    params: dict[str, Any]
    settings: StudentSettings
    attempt: int
    _progress: JobProgress = field(default_factory=lambda: JobProgress(stage="starting"))
    _dirty: bool = False
    _stop: threading.Event = field(default_factory=threading.Event)
    stop_reason: str | None = None

    def report(self, **changes: Any) -> None:
        """Update the progress (stage, done, total, loss, message); it is written at the next heartbeat."""
        self._progress = self._progress.model_copy(update=changes)
        self._dirty = True

    def should_stop(self) -> bool:
        return self._stop.is_set()

    def check_stop(self) -> None:
        """Raise ``JobStopped`` if the job was cancelled or taken over."""
        if self._stop.is_set():
            raise JobStopped(self.stop_reason or "stopped")

    def stop(self, reason: str) -> None:
        self.stop_reason = self.stop_reason or reason
        self._stop.set()

    def take_progress(self) -> dict[str, Any] | None:
        """The progress to write if it changed since the last call, else None."""
        if not self._dirty:
            return None
        self._dirty = False
        return self._progress.model_dump()


class _Heartbeat(threading.Thread):
    def __init__(self, ctx: JobContext, worker: str) -> None:
        super().__init__(name=f"heartbeat-{ctx.job_id}", daemon=True)
        self.ctx, self.worker = ctx, worker
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.ctx.settings.heartbeat_interval_s):
            try:
                self.beat()
            except Exception:  # noqa: BLE001 - a DB hiccup must not kill the job; the next beat retries
                log.warning(
                    "job %s: heartbeat failed", self.ctx.job_id, extra={"job": self.ctx.job_id}, exc_info=True
                )

    def beat(self) -> None:
        with session_scope(self.ctx.settings) as session:
            if not repo.beat(session, self.ctx.job_id, self.worker, self.ctx.take_progress()):
                self.ctx.stop("lost")  # another worker took the job over: stop without writing
            elif repo.is_cancel_requested(session, self.ctx.job_id):
                self.ctx.stop("cancelled")


def worker_token() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim(settings: StudentSettings, job_id: str, worker: str) -> tuple[dict[str, Any], int] | None:
    """Take the job for ``worker``: ``(params, attempt)``, or None when it must not run here."""
    with session_scope(settings) as session:
        job = repo.get(session, job_id, with_params=True)
        if job is None:
            log.error("job %s: unknown id; message dropped", job_id, extra={"job": job_id})
            return None
        status = JobStatus(job.status)
        if status.finished:
            log.info(
                "job %s: already %s; nothing to do", job_id, status, extra={"job": job_id, "status": status}
            )
            return None
        fresh = utcnow() - timedelta(seconds=settings.stale_after_s)
        if status == JobStatus.RUNNING and job.heartbeat_at is not None and job.heartbeat_at >= fresh:
            log.info(
                "job %s: running on %s; not run twice",
                job_id,
                job.worker,
                extra={"job": job_id, "worker": job.worker},
            )
            return None
        same = (
            Job.attempts == job.attempts,
            Job.worker.is_(None) if job.worker is None else Job.worker == job.worker,
        )
        if job.cancel_requested:
            repo.transition(session, job_id, [status], JobStatus.CANCELLED, *same, error="cancelled")
            return None
        if job.attempts >= settings.max_attempts:
            reason = f"worker lost: gave up after {job.attempts} attempts"
            repo.transition(session, job_id, [status], JobStatus.FAILED, *same, error=reason)
            return None
        now = utcnow()
        taken = repo.transition(
            session,
            job_id,
            [status],
            JobStatus.RUNNING,
            *same,
            worker=worker,
            attempts=job.attempts + 1,
            heartbeat_at=now,
            started_at=now,
            error=None,
            progress=JobProgress(stage="starting").model_dump(),
        )
        return (job.params, job.attempts + 1) if taken else None


def _finish(ctx: JobContext, worker: str, to: JobStatus, **values: Any) -> None:
    progress = ctx.take_progress()
    if progress is not None:
        values["progress"] = progress
    with session_scope(ctx.settings) as session:
        owned = repo.transition(session, ctx.job_id, [JobStatus.RUNNING], to, Job.worker == worker, **values)
    log.info(
        "job %s: %s (recorded: %s)",
        ctx.job_id,
        to,
        owned,
        extra={"job": ctx.job_id, "status": str(to), "recorded": owned},
    )


Work = Callable[[JobContext], dict[str, Any]]


def run_job(
    job_id: str,
    work: Work,
    settings: StudentSettings,
    time_limit_errors: tuple[type[BaseException], ...] = (),
) -> str:
    """Claim and run one job; returns the status it ended in (or why it did not run)."""
    worker = worker_token()
    claimed = claim(settings, job_id, worker)
    if claimed is None:
        return "skipped"
    params, attempt = claimed
    ctx = JobContext(job_id, params, settings, attempt)
    heart = _Heartbeat(ctx, worker)
    heart.start()
    log.info(
        "job %s: started, attempt %d, worker %s",
        job_id,
        attempt,
        worker,
        extra={"job": job_id, "attempt": attempt, "worker": worker},
    )
    try:
        result = work(ctx)
    except JobStopped as exc:
        return _stopped(ctx, worker, exc)
    except time_limit_errors:
        limit = settings.soft_time_limit_s()
        _finish(ctx, worker, JobStatus.FAILED, error=f"time limit: the job ran longer than {limit}s")
        return str(JobStatus.FAILED)
    except Exception as exc:  # noqa: BLE001 - any error of the work fails the job with its reason
        log.exception("job %s: failed", job_id, extra={"job": job_id})
        _finish(ctx, worker, JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:4000])
        return str(JobStatus.FAILED)
    finally:
        heart.done.set()
        heart.join(timeout=5)
    _finish(ctx, worker, JobStatus.SUCCEEDED, result=result)
    return str(JobStatus.SUCCEEDED)


def _stopped(ctx: JobContext, worker: str, exc: BaseException) -> str:
    if ctx.stop_reason == "lost":
        log.warning(
            "job %s: taken over by another worker; this attempt stops", ctx.job_id, extra={"job": ctx.job_id}
        )
        return "lost"
    ctx.report(message="cancelled")
    _finish(ctx, worker, JobStatus.CANCELLED, error=f"cancelled: {exc}"[:2000])
    return str(JobStatus.CANCELLED)
