"""Console entry points: ``fdd-student-api`` (uvicorn) and ``fdd-student-worker`` (a Celery worker)."""

from __future__ import annotations

import logging
import sys

from fdd_web.logs import configure_logging
from fdd_web.serve import serve
from student.settings import get_settings


def main() -> None:
    settings = get_settings()
    serve("student.app:create_app", settings.host, settings.port, settings.log_level, "student")


def worker() -> None:
    """Start a worker; extra arguments pass through to ``celery worker`` (e.g. ``-Q gpu -c 1``)."""
    from student.celery_app import celery_app

    configure_logging(get_settings().log_level, "student")
    if get_settings().preload_library:
        _preload_library()
    args = ["worker", "--loglevel", get_settings().log_level, *sys.argv[1:]]
    if not any(a.startswith("-Q") or a == "--queues" for a in args):
        args += ["-Q", "cpu"]
    celery_app.worker_main(args)


def _preload_library() -> None:
    """Import torch and the student libraries before the pool forks, so every child starts warm."""
    try:
        import student.inference  # noqa: F401
        import student.jobs.work  # noqa: F401
        import student.training  # noqa: F401
    except ImportError:
        # Still start: ping works, and each job reports the import error as its failure reason.
        logging.getLogger("student.worker").warning("could not preload the student library", exc_info=True)


if __name__ == "__main__":
    main()
