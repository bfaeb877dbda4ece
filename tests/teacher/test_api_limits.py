"""Bad input gets a clear 4xx in the shared envelope; oversize bodies a 413; the app reports readiness."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.fake_llm import FakeLLM
from tests.teacher.harness import openai_settings, problems, running_teacher, sqlite_url

pytestmark = pytest.mark.anyio


async def test_oversize_body_is_refused_with_413(fake_llm: FakeLLM, tmp_path: Path) -> None:
    settings = openai_settings(sqlite_url(tmp_path), fake_llm.url, max_body_bytes=2048)
    request = {"problems": [{"id": "p", "text": "Add 1 and 2. " * 300}], "k": 1}
    async with running_teacher(settings) as client:
        response = await client.post("/v1/rationales", json=request)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert fake_llm.state.calls == 0


async def test_invalid_field_is_named_in_a_422(fake_llm: FakeLLM, tmp_path: Path) -> None:
    async with running_teacher(openai_settings(sqlite_url(tmp_path), fake_llm.url)) as client:
        bad_k = await client.post("/v1/rationales", json={"problems": problems([1, 2]), "k": 0})
        bad_agree = await client.post(
            "/v1/variants",
            json={
                "problems": [{"id": "a", "text": "Add 1 and 2."}],
                "kind": "similar",
                "k": 2,
                "min_agree": 3,
            },
        )
        bad_kind = await client.post(
            "/v1/variants", json={"problems": [{"id": "a", "text": "x"}], "kind": "harder"}
        )
    assert bad_k.status_code == 422
    assert bad_k.json()["error"]["message"].startswith("k:")
    assert bad_agree.status_code == 422
    assert bad_agree.json()["error"]["message"].startswith("min_agree:")
    assert bad_kind.status_code == 422
    assert bad_kind.json()["error"]["message"].startswith("kind:")
    assert fake_llm.state.calls == 0


async def test_ready_when_the_database_answers(fake_llm: FakeLLM, tmp_path: Path) -> None:
    async with running_teacher(openai_settings(sqlite_url(tmp_path), fake_llm.url)) as client:
        response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok"}
