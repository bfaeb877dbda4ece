"""The Celery application: Redis when configured, else kombu's filesystem transport (no server needed).

Tasks are acknowledged late and rejected on a lost worker, so a worker killed mid-job leaves the
message to be redelivered instead of silently dropping it. With Redis, an unacknowledged message comes
back after ``visibility_timeout``, set above the hard time limit so that a job still running is never
delivered twice; a worker that died is noticed sooner by its job's stale heartbeat (``student.jobs``).
Job tasks keep no Celery result: a job's state lives in the service's own database.
"""

from __future__ import annotations

from pathlib import Path

from celery import Celery

from student.settings import StudentSettings, get_settings

# How often a worker of the filesystem transport looks for a message: kombu's default (1 s) was the wait
# of every job hand-off in a local run, ~1 s for each of a round's three jobs (measured in the demo: a
# job's created-to-started gap was 0.85-1.05 s). A look is one directory listing.
FILESYSTEM_POLL_S = 0.1


def _filesystem_broker(root: Path) -> tuple[str, dict[str, str | float], str]:
    queue_dir = root / "celery" / "queue"
    processed = root / "celery" / "processed"
    results = root / "celery" / "results"
    control = root / "celery" / "control"  # kombu's default is ./control in the working directory
    for path in (queue_dir, processed, results, control):
        path.mkdir(parents=True, exist_ok=True)
    options = {
        "data_folder_in": str(queue_dir),
        "data_folder_out": str(queue_dir),
        "processed_folder": str(processed),
        "store_processed": "false",
        "control_folder": str(control),
        "polling_interval": FILESYSTEM_POLL_S,
    }
    return "filesystem://", options, f"file://{results.resolve()}"


def make_celery(settings: StudentSettings | None = None) -> Celery:
    settings = settings or get_settings()
    app = Celery("student", include=["student.tasks"])
    if settings.redis_url:
        app.conf.broker_url = settings.redis_url
        app.conf.result_backend = settings.redis_url
        app.conf.broker_transport_options = {"visibility_timeout": settings.visibility_timeout()}
    else:
        broker, options, backend = _filesystem_broker(settings.state_dir())
        app.conf.broker_url = broker
        app.conf.broker_transport_options = options
        app.conf.result_backend = backend
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue="cpu",
        task_time_limit=settings.task_time_limit_s,
        task_soft_time_limit=settings.soft_time_limit_s(),
        task_track_started=True,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
        result_expires=7 * 24 * 3600,
    )
    return app


celery_app = make_celery()


class CeleryDispatcher:
    """Publishes job messages: the task named after the job's kind, the job id as its only argument."""

    def __init__(self, app: Celery, settings: StudentSettings) -> None:
        self.app = app
        self.settings = settings

    def send(self, job_id: str, kind: str, queue: str) -> None:
        self.app.send_task(
            f"student.{kind}",
            args=[job_id],
            queue=queue,
            task_id=job_id,
            ignore_result=True,  # job state is in the database; no result-backend round trip to wait on
            retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5},
        )

    def revoke(self, job_id: str) -> None:
        """Drop a queued message early (Redis only: the filesystem transport has no broadcast)."""
        if self.settings.redis_url:
            self.app.control.revoke(job_id)
