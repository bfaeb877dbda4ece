"""The teacher's FastAPI app: built once per process, long-lived things made in the lifespan.

The lifespan creates the database tables, the backend (with its pooled HTTP client), the sandbox pool,
the cache-backed sampler and the group-commit writer, and releases them at shutdown (committing what is
queued). ``/readyz`` checks the database. Every route but the health probes needs the service token
(``FDD_SERVICE_TOKEN``, checked by ``fdd_web.auth``); request bodies are bounded by ``max_body_bytes``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Security

from fdd.programs import Sandbox
from fdd.prompts import PROMPT_VERSION
from fdd_web.app import install
from fdd_web.auth import service_bearer
from teacher.api import router
from teacher.backends import build_backend
from teacher.core import Teacher
from teacher.db import Store, make_engine
from teacher.execution import Executor
from teacher.rationales import ENDPOINT as RATIONALES
from teacher.replay import ReplayCache, ReplayFront
from teacher.sampling import Sampler
from teacher.settings import TeacherSettings, get_settings
from teacher.writer import BatchWriter


def build_teacher(settings: TeacherSettings, store: Store, sandbox: Sandbox, writer: BatchWriter) -> Teacher:
    """Wire a ``Teacher`` from settings, a ready store, a sandbox pool and a started writer."""
    backend = build_backend(settings)
    sampler = Sampler(
        backend,
        store,
        settings.price_of(backend.model),
        PROMPT_VERSION,
        cache=settings.cache_enabled,
        memory=settings.cache_memory_items,
    )
    executor = Executor(sandbox, settings.exec_timeout_s)
    replays = ReplayCache(int(settings.replay_memory_mb * 2**20))
    return Teacher(backend, sampler, executor, store, writer, replays)


async def _database_ready(app: FastAPI) -> None:
    await asyncio.to_thread(app.state.teacher.store.ping)


def create_app(settings: TeacherSettings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(make_engine(settings.database_url_or_default("teacher.db")))
        await asyncio.to_thread(store.create_tables)
        sandbox = Sandbox(settings.exec_workers, timeout=settings.exec_timeout_s)
        writer = BatchWriter(store)
        writer.start()
        teacher = build_teacher(settings, store, sandbox, writer)
        app.state.settings = settings
        app.state.teacher = teacher
        try:
            yield
        finally:
            await writer.close()
            await teacher.backend.aclose()
            sandbox.close()
            store.engine.dispose()

    # FastAPI's native OpenTelemetry looks up the global providers (and the environment) on every request
    # to learn that nobody configured them; the teacher exports no traces or metrics: switched off.
    app = FastAPI(
        title="fdd teacher",
        version="0.1.0",
        lifespan=lifespan,
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    if settings.replay_front:  # added before install(): the innermost middleware, past auth and limits
        app.add_middleware(ReplayFront, path="/v1/rationales", endpoint=RATIONALES)
    install(
        app,
        "teacher",
        checks={"database": _database_ready},
        max_body_bytes=settings.max_body_bytes,
        service_token=settings.service_token,
    )
    app.include_router(router, dependencies=[Security(service_bearer)])
    return app
