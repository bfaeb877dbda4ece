"""The teacher's FastAPI app: built once per process, long-lived things made in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from fdd_web.app import install
from teacher.settings import TeacherSettings, get_settings


def create_app(settings: TeacherSettings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        yield

    app = FastAPI(title="fdd teacher", version="0.1.0", lifespan=lifespan)
    install(app, "teacher")
    return app
