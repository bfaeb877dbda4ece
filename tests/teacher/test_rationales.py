"""``/v1/rationales`` over HTTP with the ``openai`` backend against the misbehaving fake upstream."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.fixtures.fake_llm import FakeLLM
from tests.fixtures.servers import fresh_postgres_database
from tests.teacher.harness import openai_settings, problems, running_teacher, sqlite_url

pytestmark = pytest.mark.anyio


def body(*numbers: list[int], k: int = 3, **extra: object) -> dict[str, object]:
    return {"problems": problems(*numbers), "k": k, "label": "run1/r0", **extra}


async def test_faults_still_give_complete_correct_results_and_one_call_per_key(
    fake_llm: FakeLLM, tmp_path: Path
) -> None:
    fake_llm.reset(["429", "500", "slow", "malformed"], ignore_n=True, slow_s=2.0)
    settings = openai_settings(sqlite_url(tmp_path), fake_llm.url, openai_timeout_s=1.0)
    async with running_teacher(settings) as client:
        response = await client.post("/v1/rationales", json=body([3, 4, 5], [10, 20], k=3))
    assert response.status_code == 200, response.text
    data = response.json()
    for result in data["results"]:
        assert result["error"] is None
        assert [s["verdict"] for s in result["samples"]] == ["ok"] * 3
        assert all(s["correct"] and not s["cached"] for s in result["samples"])
        assert len(result["correct_programs"]) == 1
        assert (result["backend"], result["model"]) == ("openai", "fake-model")
    assert fake_llm.state.choices_ok == 6  # 2 problems x k=3 cache keys, each paid for once
    assert data["usage"]["calls"] == 2  # one backend request per problem (the backend made 6 HTTP calls)
    assert data["usage"]["cache_hits"] == 0
    assert data["usage"]["cost_usd"] == pytest.approx((6 * 100 * 1.0 + 6 * 20 * 2.0) / 1e6)


async def test_identical_request_is_served_from_cache(fake_llm: FakeLLM, tmp_path: Path) -> None:
    async with running_teacher(openai_settings(sqlite_url(tmp_path), fake_llm.url)) as client:
        first = (await client.post("/v1/rationales", json=body([1, 2], k=4))).json()
        calls = fake_llm.state.calls
        second = (await client.post("/v1/rationales", json=body([1, 2], k=4))).json()
    assert calls == 1
    assert fake_llm.state.calls == 1
    assert second["usage"] == {**second["usage"], "calls": 0, "cache_hits": 4, "cost_usd": 0.0}
    assert [s["raw"] for s in second["results"][0]["samples"]] == [
        s["raw"] for s in first["results"][0]["samples"]
    ]
    assert all(s["cached"] for s in second["results"][0]["samples"])


async def test_restart_serves_the_cache_with_zero_upstream_calls(fake_llm: FakeLLM) -> None:
    with fresh_postgres_database("fdd_teacher") as url:
        settings = openai_settings(url, fake_llm.url)
        async with running_teacher(settings) as client:
            first = (await client.post("/v1/rationales", json=body([5, 6], [7, 8], k=2))).json()
        calls = fake_llm.state.calls
        async with running_teacher(settings) as client:  # a new app instance on the same database
            second = (await client.post("/v1/rationales", json=body([5, 6], [7, 8], k=2))).json()
            usage = (await client.get("/v1/usage")).json()
    assert calls > 0
    assert fake_llm.state.calls == calls
    assert second["usage"]["calls"] == 0
    assert second["usage"]["cache_hits"] == 4
    assert [r["samples"] for r in second["results"]] == [
        [{**s, "cached": True, "cost_usd": 0.0} for s in r["samples"]] for r in first["results"]
    ]
    assert usage["totals"]["calls"] == first["usage"]["calls"]
    assert usage["totals"]["cache_hits"] == 4


async def test_nul_characters_from_the_upstream_never_reach_postgres(fake_llm: FakeLLM) -> None:
    fake_llm.reset(["nul", "400nul"], ignore_n=True)
    with fresh_postgres_database("fdd_teacher") as url:
        settings = openai_settings(url, fake_llm.url, openai_max_attempts=1)
        async with running_teacher(settings) as client:
            first = await client.post("/v1/rationales", json=body([5, 6], k=1))
            refused = await client.post("/v1/rationales", json=body([7, 8], k=1))
        async with running_teacher(settings) as client:  # the cleaned completion was cached
            again = await client.post("/v1/rationales", json=body([5, 6], k=1))
    assert (first.status_code, refused.status_code, again.status_code) == (200, 200, 200), first.text
    [sample] = first.json()["results"][0]["samples"]
    assert "\x00" not in sample["raw"]
    assert (sample["verdict"], sample["correct"]) == ("ok", True)
    assert "\x00" not in refused.json()["results"][0]["error"]
    assert "bad input" in refused.json()["results"][0]["error"]
    assert again.json()["results"][0]["samples"] == [{**sample, "cached": True, "cost_usd": 0.0}]


async def test_concurrent_identical_requests_make_one_upstream_call(
    fake_llm: FakeLLM, tmp_path: Path
) -> None:
    async with running_teacher(openai_settings(sqlite_url(tmp_path), fake_llm.url)) as client:
        responses = await asyncio.gather(
            *(client.post("/v1/rationales", json=body([9, 9], k=2)) for _ in range(8))
        )
    assert {r.status_code for r in responses} == {200}
    assert fake_llm.state.ok_calls == 1
    assert sum(r.json()["usage"]["calls"] for r in responses) == 1
    raws = {tuple(s["raw"] for s in r.json()["results"][0]["samples"]) for r in responses}
    assert len(raws) == 1


async def test_seeded_samples_are_asked_one_by_one_with_derived_seeds(
    fake_llm: FakeLLM, tmp_path: Path
) -> None:
    async with running_teacher(openai_settings(sqlite_url(tmp_path), fake_llm.url)) as client:
        request = body([2, 3], k=3, sampling={"seed": 100})
        assert (await client.post("/v1/rationales", json=request)).status_code == 200
    assert sorted(b["seed"] for b in fake_llm.state.bodies) == [100, 101, 102]
    assert all("n" not in b for b in fake_llm.state.bodies)


async def test_prose_without_code_is_a_no_program_sample(fake_llm: FakeLLM, tmp_path: Path) -> None:
    fake_llm.reset(["prose"])
    async with running_teacher(openai_settings(sqlite_url(tmp_path), fake_llm.url)) as client:
        data = (await client.post("/v1/rationales", json=body([2, 3], k=1))).json()
    sample = data["results"][0]["samples"][0]
    assert (sample["verdict"], sample["program"], sample["answer"], sample["correct"]) == (
        "no_program",
        None,
        None,
        False,
    )
    assert data["results"][0]["correct_programs"] == []


async def test_wrong_answers_are_not_correct(fake_llm: FakeLLM, tmp_path: Path) -> None:
    fake_llm.reset(wrong={"Add 2 and 3."})
    async with running_teacher(openai_settings(sqlite_url(tmp_path), fake_llm.url)) as client:
        data = (await client.post("/v1/rationales", json=body([2, 3], k=2))).json()
    samples = data["results"][0]["samples"]
    assert [s["verdict"] for s in samples] == ["ok", "ok"]
    assert [s["correct"] for s in samples] == [False, False]


async def test_upstream_failure_is_reported_on_the_problem(fake_llm: FakeLLM, tmp_path: Path) -> None:
    fake_llm.reset(["500"] * 2)
    settings = openai_settings(sqlite_url(tmp_path), fake_llm.url, openai_max_attempts=2)
    async with running_teacher(settings) as client:
        response = await client.post("/v1/rationales", json=body([2, 3], k=1))
    result = response.json()["results"][0]
    assert response.status_code == 200
    assert result["samples"] == []
    assert "HTTP 500" in result["error"]


async def test_usage_is_reported_by_label(fake_llm: FakeLLM, tmp_path: Path) -> None:
    async with running_teacher(openai_settings(sqlite_url(tmp_path), fake_llm.url)) as client:
        await client.post("/v1/rationales", json=body([1, 1], k=2, label="a"))
        await client.post("/v1/rationales", json=body([1, 1], k=2, label="b"))
        everything = (await client.get("/v1/usage")).json()
        only_b = (await client.get("/v1/usage", params={"label": "b"})).json()
        backends = (await client.get("/v1/backends")).json()
    assert [(r["label"], r["calls"], r["cache_hits"]) for r in everything["rows"]] == [
        ("a", 1, 0),
        ("b", 0, 2),
    ]
    assert everything["rows"][0]["endpoint"] == "rationales"
    assert everything["totals"]["prompt_tokens"] == 100
    assert everything["totals"]["completion_tokens"] == 40
    assert [r["label"] for r in only_b["rows"]] == ["b"]
    assert backends["backends"] == [
        {
            "name": "openai",
            "model": "fake-model",
            "default": True,
            "prices_per_million": {"prompt": 1.0, "completion": 2.0},
        }
    ]
