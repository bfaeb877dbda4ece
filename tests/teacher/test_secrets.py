"""The upstream API key is sent upstream and nowhere else: not in responses, logs or the database."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from tests.fixtures.fake_llm import FakeLLM
from tests.teacher.harness import API_KEY, openai_settings, problems, running_teacher, sqlite_url

pytestmark = pytest.mark.anyio


async def test_api_key_never_leaves_the_upstream_header(
    fake_llm: FakeLLM, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_llm.reset(["401", "500"])
    settings = openai_settings(sqlite_url(tmp_path), fake_llm.url, openai_max_attempts=2)
    texts = [repr(settings), str(settings.model_dump())]
    async with running_teacher(settings) as client:
        for request in [
            (
                "POST",
                "/v1/rationales",
                {"problems": problems([1, 2]), "k": 1},
            ),  # refused: 401 quoting the key
            ("POST", "/v1/rationales", {"problems": problems([1, 2]), "k": 2}),  # 500, then fine
            ("POST", "/v1/variants", {"problems": [{"id": "a", "text": "Add 1 and 2."}], "kind": "similar"}),
            ("GET", "/v1/usage", None),
            ("GET", "/v1/backends", None),
            ("GET", "/readyz", None),
            ("POST", "/v1/rationales", {"problems": "not a list"}),
        ]:
            response = await client.request(request[0], request[1], json=request[2])
            texts.append(response.text)
    assert "invalid key Bearer ***" in texts[2]  # the refusal is reported, with the key masked
    assert fake_llm.state.auth_headers[0] == f"Bearer {API_KEY}"
    with sqlite3.connect(tmp_path / "teacher.db") as db:
        dump = "\n".join(db.iterdump())
    assert "teacher_cache" in dump
    database_files = b"".join(p.read_bytes() for p in tmp_path.glob("teacher.db*"))
    for where, text in [("responses", "\n".join(texts)), ("logs", caplog.text), ("database", dump)]:
        assert API_KEY not in text, f"the API key leaked into the {where}"
    assert API_KEY.encode() not in database_files
