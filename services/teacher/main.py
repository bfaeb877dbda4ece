"""Console entry point: ``fdd-teacher`` runs the teacher under uvicorn."""

from __future__ import annotations

from fdd_web.serve import serve
from teacher.settings import get_settings


def main() -> None:
    settings = get_settings()
    serve("teacher.app:create_app", settings.host, settings.port, settings.log_level, "teacher")


if __name__ == "__main__":
    main()
