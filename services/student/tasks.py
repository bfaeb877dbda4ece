"""Celery tasks: thin wrappers that take ids or small payloads and call the library."""

from __future__ import annotations

import os
import socket

from student.celery_app import celery_app


@celery_app.task(name="student.ping")
def ping(payload: str = "") -> dict[str, str | int]:
    """Round-trip check: proves a real worker process consumed the message."""
    return {"pong": payload, "host": socket.gethostname(), "pid": os.getpid()}
