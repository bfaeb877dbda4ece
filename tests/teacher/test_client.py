"""``fdd.clients.teacher.TeacherClient``: typed calls to the real app, retries on 5xx, clear 4xx errors."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from fdd.clients.teacher import TeacherClient, TeacherError
from fdd.wire.teacher import ProblemIn, RationaleRequest, VariantRequest, VariantSource
from tests.fixtures.fake_llm import FakeLLM
from tests.fixtures.processes import SERVICE_TOKEN
from tests.teacher.harness import openai_settings, running_app, sqlite_url

pytestmark = pytest.mark.anyio
USAGE = {
    "rows": [],
    "totals": {"calls": 0, "cache_hits": 0, "prompt_tokens": 0, "completion_tokens": 0, "cost_usd": 0},
}


async def test_typed_calls_against_the_app(fake_llm: FakeLLM, tmp_path: Path) -> None:
    async with running_app(openai_settings(sqlite_url(tmp_path), fake_llm.url)) as app:
        transport = httpx.ASGITransport(app=app)
        async with TeacherClient("http://teacher", transport=transport, token=SERVICE_TOKEN) as client:
            request = RationaleRequest(
                problems=[ProblemIn(id="p", text="Add 2 and 5.", gold=7)], k=2, label="x"
            )
            rationales = await client.rationales(request)
            variants = await client.variants(
                VariantRequest(
                    problems=[VariantSource(id="p", text="Add 2 and 5.")], kind="similar", label="x"
                )
            )
            usage = await client.usage("x")
            assert await client.ready()
    assert rationales.results[0].correct_programs
    assert variants.problems[0].accepted
    assert {row.endpoint for row in usage.rows} == {"rationales", "variants"}


async def test_bad_request_raises_with_the_envelope_message(fake_llm: FakeLLM, tmp_path: Path) -> None:
    request = VariantRequest(
        problems=[VariantSource(id="p", text="Add 1 and 2.")], kind="complex", k=2, min_agree=3
    )
    async with running_app(openai_settings(sqlite_url(tmp_path), fake_llm.url)) as app:
        transport = httpx.ASGITransport(app=app)
        async with TeacherClient("http://teacher", transport=transport, token=SERVICE_TOKEN) as client:
            with pytest.raises(TeacherError, match="min_agree: must be at most k") as info:
                await client.variants(request)
    assert info.value.status == 422


async def test_server_errors_are_retried() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if len(seen) < 3:
            return httpx.Response(503, json={"error": {"message": "warming up", "type": "unavailable"}})
        return httpx.Response(200, json=USAGE)

    async with TeacherClient(
        "http://t", transport=httpx.MockTransport(handler), backoff_max_s=0.01
    ) as client:
        report = await client.usage()
    assert report.totals.calls == 0
    assert seen == ["/v1/usage"] * 3


async def test_persistent_server_error_raises_after_the_retries() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            500, json={"error": {"message": "internal server error", "type": "server_error"}}
        )

    client = TeacherClient("http://t", transport=httpx.MockTransport(handler), attempts=2, backoff_max_s=0.01)
    with pytest.raises(TeacherError, match="500: internal server error"):
        await client.backends()
    await client.aclose()


async def test_unreachable_teacher_is_not_ready_and_raises() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = TeacherClient("http://t", transport=httpx.MockTransport(handler), attempts=2, backoff_max_s=0.01)
    assert not await client.ready()
    with pytest.raises(TeacherError, match="unreachable: ConnectError") as info:
        await client.usage()
    assert info.value.status is None
    await client.aclose()
