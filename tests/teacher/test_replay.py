"""Cache hits on the fast path: replayed bytes equal computed ones, no database read, exact usage counts."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, event, func, select

from teacher import api as teacher_api
from teacher.db import usage_table
from teacher.replay import is_json
from tests.fixtures.fake_llm import FakeLLM
from tests.fixtures.processes import SERVICE_AUTH
from tests.teacher.harness import openai_settings, problems, running_app, sqlite_url

pytestmark = pytest.mark.anyio


def client_for(app: Any) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://teacher", timeout=30, headers=SERVICE_AUTH)


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements ``engine`` runs inside the block."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_replayed_response_is_byte_identical_to_the_computed_one(
    fake_llm: FakeLLM, tmp_path: Path
) -> None:
    settings = openai_settings(sqlite_url(tmp_path), fake_llm.url)
    request = {"problems": problems([1, 2], [3, 4, 5]), "k": 3, "label": "r"}
    async with running_app(settings) as app, client_for(app) as client:
        miss = await client.post("/v1/rationales", json=request)
        computed = await client.post("/v1/rationales", json=request)  # from the cache, kept for replay
        replayed = await client.post("/v1/rationales", json=request)
        assert len(app.state.teacher.replays) == 1
    async with running_app(settings) as app, client_for(app) as client:  # restart: from the database
        restored = await client.post("/v1/rationales", json=request)
    assert miss.json()["usage"]["calls"] == 2
    assert computed.json()["usage"] == {
        "calls": 0,
        "cache_hits": 6,
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "cost_usd": 0.0,
    }
    assert replayed.content == computed.content == restored.content
    assert replayed.headers["content-type"] == "application/json"
    assert fake_llm.state.calls == 2


@pytest.mark.parametrize("replay_memory_mb", [64.0, 0.0])
async def test_cache_hits_read_nothing_from_the_database(
    fake_llm: FakeLLM, tmp_path: Path, replay_memory_mb: float
) -> None:
    settings = openai_settings(sqlite_url(tmp_path), fake_llm.url, replay_memory_mb=replay_memory_mb)
    request = {"problems": problems([1, 2], [2, 3]), "k": 4}
    async with running_app(settings) as app, client_for(app) as client:
        await client.post("/v1/rationales", json=request)
        with statements(app.state.teacher.store.engine) as seen:
            hits = [await client.post("/v1/rationales", json=request) for _ in range(5)]
    assert [h.json()["usage"]["cache_hits"] for h in hits] == [8] * 5
    assert not [s for s in seen if "teacher_cache" in s], seen  # the memory LRU answered every sample


async def test_usage_counts_stay_exact_after_many_hits(fake_llm: FakeLLM, tmp_path: Path) -> None:
    settings = openai_settings(sqlite_url(tmp_path), fake_llm.url)
    bodies = [{"problems": problems([i, i + 1]), "k": 4, "label": "exact"} for i in range(5)]
    hits = 300
    async with running_app(settings) as app, client_for(app) as client:
        for body in bodies:  # misses: one upstream call each
            await client.post("/v1/rationales", json=body)
        answers = await asyncio.gather(
            *(client.post("/v1/rationales", json=bodies[i % 5]) for i in range(hits))
        )
        usage = (await client.get("/v1/usage", params={"label": "exact"})).json()
        other = (await client.get("/v1/usage", params={"label": "none"})).json()
        engine = app.state.teacher.store.engine
    assert {a.status_code for a in answers} == {200}
    assert len(usage["rows"]) == 1
    assert usage["totals"]["calls"] == 5
    assert usage["totals"]["cache_hits"] == hits * 4
    assert other["rows"] == []
    with engine.connect() as conn:  # summed per write batch: far fewer rows than requests
        rows = conn.execute(select(func.count()).select_from(usage_table)).scalar_one()
    assert rows < hits


async def test_a_response_with_an_upstream_error_is_not_replayed(fake_llm: FakeLLM, tmp_path: Path) -> None:
    fake_llm.reset(script=["500", "500"])
    settings = openai_settings(sqlite_url(tmp_path), fake_llm.url, openai_max_attempts=2)
    request = {"problems": problems([1, 2]), "k": 2}
    async with running_app(settings) as app, client_for(app) as client:
        failed = (await client.post("/v1/rationales", json=request)).json()
        kept_after_failure = len(app.state.teacher.replays)
        retried = (await client.post("/v1/rationales", json=request)).json()
    assert failed["results"][0]["error"]
    assert failed["usage"]["calls"] == 0
    assert kept_after_failure == 0
    assert retried["results"][0]["error"] is None
    assert retried["usage"]["calls"] == 1


async def test_replay_does_not_skip_the_content_type_check(fake_llm: FakeLLM, tmp_path: Path) -> None:
    settings = openai_settings(sqlite_url(tmp_path), fake_llm.url)
    body = httpx.Request("POST", "/", json={"problems": problems([1, 2]), "k": 1}).content
    async with running_app(settings) as app, client_for(app) as client:
        for _ in range(3):
            await client.post("/v1/rationales", content=body, headers={"content-type": "application/json"})
        plain = await client.post("/v1/rationales", content=body, headers={"content-type": "text/plain"})
    assert plain.status_code == 422
    assert plain.json()["error"]["message"].startswith("body:")


@pytest.mark.parametrize("front", [True, False])
async def test_a_replay_is_answered_before_routing(
    fake_llm: FakeLLM, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, front: bool
) -> None:
    settings = openai_settings(sqlite_url(tmp_path), fake_llm.url, replay_front=front)
    request = {"problems": problems([1, 2]), "k": 2}
    routed: list[bytes] = []
    original = teacher_api.rationales_json

    async def counting(teacher: Any, body: bytes) -> bytes:
        routed.append(body)
        return await original(teacher, body)

    monkeypatch.setattr(teacher_api, "rationales_json", counting)
    async with running_app(settings) as app, client_for(app) as client:
        computed = [await client.post("/v1/rationales", json=request) for _ in range(2)]  # miss, kept
        routed.clear()
        replayed = [await client.post("/v1/rationales", json=request) for _ in range(3)]
        other = await client.post("/v1/rationales", json={**request, "k": 1})  # not kept: the route
    assert {r.content for r in replayed} == {computed[1].content}
    assert [r.json()["usage"]["cache_hits"] for r in replayed] == [2, 2, 2]
    assert other.status_code == 200
    assert len(routed) == (1 if front else 4)


async def test_the_front_keeps_the_edge_checks(
    fake_llm: FakeLLM, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = openai_settings(sqlite_url(tmp_path), fake_llm.url)
    request = {"problems": problems([1, 2]), "k": 2}
    async with running_app(settings) as app, client_for(app) as client:
        for _ in range(2):
            await client.post("/v1/rationales", json=request)
        caplog.clear()
        with caplog.at_level("INFO", logger="teacher.http"):
            anonymous = await client.post("/v1/rationales", json=request, headers={"Authorization": ""})
            wrong = await client.post("/v1/rationales", json=request, headers={"Authorization": "Bearer x"})
            replayed = await client.post("/v1/rationales", json=request)
    assert (anonymous.status_code, wrong.status_code, replayed.status_code) == (401, 401, 200)
    logged = [(r.path, r.status) for r in caplog.records if r.name == "teacher.http"]  # type: ignore[attr-defined]
    assert logged == [("/v1/rationales", 401), ("/v1/rationales", 401), ("/v1/rationales", 200)]


def test_is_json_reads_media_types_as_fastapi_does() -> None:
    for json_type in ("application/json", b"application/json; charset=utf-8", "Application/Problem+JSON"):
        assert is_json(json_type)
    for other in ("text/plain", "", "application/x-www-form-urlencoded", b"multipart/form-data"):
        assert not is_json(other)
