"""The student's FastAPI app: job submission and status, checkpoints, ad-hoc generation.

The lifespan builds the long-lived parts once (database session factory, job service, predictor cache)
and runs the reaper: every ``reap_interval_s`` it re-queues (or fails) running jobs whose worker stopped
beating and sends jobs whose message was never published. Every route but the health probes needs the
service token (``FDD_SERVICE_TOKEN``, ``fdd_web.auth``); request bodies are bounded by ``max_body_bytes``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Security
from sqlalchemy import text

from fdd_web.app import install
from fdd_web.auth import service_bearer
from student.api import router
from student.celery_app import CeleryDispatcher, make_celery
from student.db import session_factory
from student.generation import PredictorCache
from student.jobs.service import JobService
from student.settings import StudentSettings, get_settings

log = logging.getLogger("student.app")


async def _check_broker(app: FastAPI) -> None:
    def ping_broker() -> None:
        with app.state.celery.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)

    await asyncio.to_thread(ping_broker)


async def _check_database(app: FastAPI) -> None:
    def ping_database() -> None:
        with app.state.jobs.sessions() as session:
            session.execute(text("SELECT 1"))

    await asyncio.to_thread(ping_database)


async def _reap_forever(jobs: JobService, interval_s: float) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            recovered = await asyncio.to_thread(jobs.reap)
            if recovered:
                log.info("reaper recovered %d jobs", recovered, extra={"count": recovered})
        except Exception:  # noqa: BLE001 - keep reaping; a DB outage is reported by /readyz
            log.exception("reaper pass failed")


def create_app(settings: StudentSettings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.celery = make_celery(settings)
        sessions = await asyncio.to_thread(session_factory, settings)
        app.state.jobs = JobService(settings, sessions, CeleryDispatcher(app.state.celery, settings))
        app.state.predictors = PredictorCache(settings)
        reaper = asyncio.create_task(_reap_forever(app.state.jobs, settings.reap_interval_s))
        yield
        reaper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reaper

    app = FastAPI(title="fdd student", version="0.1.0", lifespan=lifespan)
    install(
        app,
        "student",
        {"broker": _check_broker, "database": _check_database},
        max_body_bytes=settings.max_body_bytes,
        service_token=settings.service_token,
    )
    app.include_router(router, dependencies=[Security(service_bearer)])
    return app
