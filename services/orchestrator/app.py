"""The orchestrator's FastAPI app: engine, sessionmaker, metrics and (optionally) the driver, built once.

The lifespan builds the engine and sessionmaker on ``app.state``; when ``driver_enabled`` it starts the
background driver (``orchestrator.driver.runtime.start_driver``, which builds the typed teacher/student
clients) and stops it on shutdown. Routes: the admin API under ``/v1`` (bearer token), the dashboard
under ``/ui`` (login cookie), ``/metrics``, ``/healthz`` and ``/readyz`` (open).
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import text

from fdd_web.app import install
from orchestrator.api import install_routes
from orchestrator.db import make_engine, make_sessionmaker
from orchestrator.metrics import MetricsMiddleware, RequestMetrics
from orchestrator.settings import OrchestratorSettings, get_settings
from orchestrator.ui.endpoints import install_ui


async def _check_database(app: FastAPI) -> None:
    def ping() -> None:
        with app.state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    await asyncio.to_thread(ping)


def create_app(settings: OrchestratorSettings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.engine = make_engine(settings.sqlalchemy_url())
        app.state.sessionmaker = make_sessionmaker(app.state.engine)
        driver = None
        if settings.driver_enabled:
            runtime = importlib.import_module("orchestrator.driver.runtime")
            driver = await runtime.start_driver(settings, app.state.sessionmaker)
        try:
            yield
        finally:
            if driver is not None:
                await driver.stop()
            app.state.engine.dispose()

    app = FastAPI(title="fdd orchestrator", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.metrics = RequestMetrics()
    install(app, "orchestrator", {"database": _check_database}, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    install_routes(app)
    install_ui(app)
    return app
