"""The orchestrator's FastAPI app: engine and sessionmaker built once in the lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import text

from fdd_web.app import install
from orchestrator.db import make_engine, make_sessionmaker
from orchestrator.settings import OrchestratorSettings, get_settings


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
        yield
        app.state.engine.dispose()

    app = FastAPI(title="fdd orchestrator", version="0.1.0", lifespan=lifespan)
    install(app, "orchestrator", {"database": _check_database})
    return app
