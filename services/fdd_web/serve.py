"""Run a service's ASGI app under uvicorn with fdd's logging (the console entry points call this)."""

from __future__ import annotations

import uvicorn

from fdd_web.logs import configure_logging


def serve(app_path: str, host: str, port: int, log_level: str = "INFO", service: str = "fdd") -> None:
    configure_logging(log_level, service)
    uvicorn.run(
        app_path,
        factory=True,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        log_level=log_level.lower(),
    )
