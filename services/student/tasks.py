"""Celery tasks, as thin as web views: each takes a job id and hands it to ``student.jobs.runner``.

The parameters live in the job row, never in the message. Acknowledgement is late, so a worker killed
mid-job leaves its message to be redelivered; the runner's conditional claim makes a redelivery harmless.
A soft time limit fails the job with the reason "time limit"; a cancel flag ends it ``cancelled``.
"""

from __future__ import annotations

import os
import socket
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy.exc import OperationalError

from student.celery_app import celery_app
from student.jobs.runner import run_job
from student.jobs.work import WORK
from student.settings import get_settings


def _run(job_id: str, kind: str) -> str:
    # Everything heavy (torch, the libraries) is imported inside the work function, after the claim,
    # so that even a time limit hit while importing ends the job "failed", never stuck "queued".
    return run_job(job_id, WORK[kind], get_settings(), time_limit_errors=(SoftTimeLimitExceeded,))


# A database that cannot be reached while claiming is retried with backoff: acking the message
# without a claim would leave the job queued with nothing left to deliver it.
JOB_TASK: dict[str, Any] = {
    "ignore_result": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "max_retries": 20,
}


@celery_app.task(name="student.train", **JOB_TASK)
def train(job_id: str) -> str:
    """Train a model for the job ``job_id``."""
    return _run(job_id, "train")


@celery_app.task(name="student.predict", **JOB_TASK)
def predict(job_id: str) -> str:
    """Solve the job's problems with a checkpoint (the orchestrator's classify stage)."""
    return _run(job_id, "predict")


@celery_app.task(name="student.evaluate", **JOB_TASK)
def evaluate(job_id: str) -> str:
    """Score a checkpoint on a benchmark or inline problems."""
    return _run(job_id, "evaluate")


@celery_app.task(name="student.ping")
def ping(payload: str = "") -> dict[str, str | int]:
    """Round-trip check: proves a real worker process consumed the message."""
    return {"pong": payload, "host": socket.gethostname(), "pid": os.getpid()}
