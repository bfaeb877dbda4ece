"""The Celery application: Redis when configured, else kombu's filesystem transport (no server needed).

Tasks are acknowledged late and rejected on a lost worker, so a worker killed mid-job leaves the
message to be redelivered instead of silently dropping it.
"""

from __future__ import annotations

from pathlib import Path

from celery import Celery

from student.settings import StudentSettings, get_settings


def _filesystem_broker(root: Path) -> tuple[str, dict[str, str], str]:
    queue_dir = root / "celery" / "queue"
    processed = root / "celery" / "processed"
    results = root / "celery" / "results"
    for path in (queue_dir, processed, results):
        path.mkdir(parents=True, exist_ok=True)
    options = {
        "data_folder_in": str(queue_dir),
        "data_folder_out": str(queue_dir),
        "processed_folder": str(processed),
        "store_processed": "false",
    }
    return "filesystem://", options, f"file://{results.resolve()}"


def make_celery(settings: StudentSettings | None = None) -> Celery:
    settings = settings or get_settings()
    app = Celery("student", include=["student.tasks"])
    if settings.redis_url:
        app.conf.broker_url = settings.redis_url
        app.conf.result_backend = settings.redis_url
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
        task_soft_time_limit=max(settings.task_time_limit_s - 30, 5),
        task_track_started=True,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
        result_expires=7 * 24 * 3600,
    )
    return app


celery_app = make_celery()
