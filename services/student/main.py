"""Console entry points: ``fdd-student-api`` (uvicorn) and ``fdd-student-worker`` (a Celery worker)."""

from __future__ import annotations

import sys

from fdd_web.serve import serve
from student.settings import get_settings


def main() -> None:
    settings = get_settings()
    serve("student.app:create_app", settings.host, settings.port, settings.log_level, "student")


def worker() -> None:
    """Start a worker; extra arguments pass through to ``celery worker`` (e.g. ``-Q gpu -c 1``)."""
    from student.celery_app import celery_app

    args = ["worker", "--loglevel", get_settings().log_level, *sys.argv[1:]]
    if not any(a.startswith("-Q") or a == "--queues" for a in args):
        args += ["-Q", "cpu"]
    celery_app.worker_main(args)


if __name__ == "__main__":
    main()
