"""Builders for the teacher's tests: settings pointing at the fake upstream, and a running app.

``running_teacher`` runs the real app (lifespan included: database, sandbox, backend) in this event loop
and yields an ``httpx.AsyncClient`` speaking to it over ASGI (sending the settings' service token);
leaving the block shuts the app down, so a second block on the same database is a restart.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from teacher.app import create_app
from teacher.settings import TeacherSettings
from tests.fixtures.fake_llm import toy_problem
from tests.fixtures.processes import SERVICE_TOKEN

API_KEY = "sk-test-DO-NOT-LEAK-7f3a9c"
PRICES = {"fake-model": {"prompt": 1.0, "completion": 2.0}}


def openai_settings(database_url: str, fake_url: str, **overrides: Any) -> TeacherSettings:
    """Settings for the ``openai`` backend against the fake, with short timeouts and waits."""
    values: dict[str, Any] = {
        "backend": "openai",
        "openai_base_url": fake_url,
        "openai_model": "fake-model",
        "openai_api_key": SecretStr(API_KEY),
        "openai_timeout_s": 5.0,  # generous: the machine is shared; fault tests shorten it
        "openai_backoff_max_s": 0.05,
        "openai_max_attempts": 6,
        "prices": PRICES,
        "database_url": database_url,
        "exec_workers": 1,
        "log_level": "DEBUG",
        "service_token": SecretStr(SERVICE_TOKEN),
        **overrides,
    }
    return TeacherSettings(**values)


def sqlite_url(tmp_path: Path, name: str = "teacher.db") -> str:
    return f"sqlite:///{tmp_path / name}"


@asynccontextmanager
async def running_app(settings: TeacherSettings) -> AsyncIterator[FastAPI]:
    """The teacher app with its lifespan started (database, sandbox, backend)."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@asynccontextmanager
async def running_teacher(settings: TeacherSettings) -> AsyncIterator[httpx.AsyncClient]:
    """The teacher app, started with its lifespan, behind an ASGI client."""
    async with running_app(settings) as app:
        transport = httpx.ASGITransport(app=app)
        auth = {"Authorization": f"Bearer {settings.service_token.get_secret_value()}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://teacher", timeout=30, headers=auth
        ) as client:
            yield client


def problems(*numbers: list[int], gold: bool = True) -> list[dict[str, Any]]:
    """Toy problems ("Add 3, 4 and 5.") with ids p0, p1, … and their gold answers."""
    return [
        {"id": f"p{i}", "text": toy_problem(nums), **({"gold": float(sum(nums))} if gold else {})}
        for i, nums in enumerate(numbers)
    ]
