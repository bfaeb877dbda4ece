"""Console entry point: ``fdd-orchestrator`` migrates the database, then serves the app under uvicorn."""

from __future__ import annotations

from fdd_web.serve import serve
from orchestrator.migrate import upgrade
from orchestrator.settings import get_settings


def main() -> None:
    settings = get_settings()
    upgrade(settings.sqlalchemy_url())
    serve("orchestrator.app:create_app", settings.host, settings.port, settings.log_level, "orchestrator")


if __name__ == "__main__":
    main()
