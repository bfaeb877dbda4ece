"""The student's FastAPI app: job submission and status, checkpoints, ad-hoc generation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from fdd_web.app import install
from student.celery_app import celery_app
from student.settings import StudentSettings, get_settings


async def _check_broker(app: FastAPI) -> None:
    def ping_broker() -> None:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)

    await asyncio.to_thread(ping_broker)


def create_app(settings: StudentSettings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        yield

    app = FastAPI(title="fdd student", version="0.1.0", lifespan=lifespan)
    install(app, "student", {"broker": _check_broker})
    return app
