"""The default offline teacher end to end over HTTP: curriculum problems in, verified rationales and
variants out, reproducible under a seed, served from the cache the second time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fdd.curriculum import problem_for_seed
from teacher.settings import TeacherSettings
from tests.teacher.harness import running_teacher, sqlite_url

pytestmark = pytest.mark.anyio


def settings(tmp_path: Path, error_rate: float = 0.0) -> TeacherSettings:
    return TeacherSettings(
        database_url=sqlite_url(tmp_path), exec_workers=1, synthetic_error_rate=error_rate, synthetic_seed=3
    )


def seed_problems(count: int, steps: int = 2) -> list[dict[str, Any]]:
    problems = [problem_for_seed(i, steps) for i in range(count)]
    return [{"id": f"s{i}", "text": p.text, "gold": p.answer} for i, p in enumerate(problems)]


async def test_synthetic_rationales_are_correct_and_cached(tmp_path: Path) -> None:
    request = {"problems": seed_problems(4), "k": 3, "sampling": {"seed": 7}, "label": "syn"}
    async with running_teacher(settings(tmp_path)) as client:
        first = (await client.post("/v1/rationales", json=request)).json()
        second = (await client.post("/v1/rationales", json=request)).json()
        backends = (await client.get("/v1/backends")).json()["backends"]
    assert [(b["name"], b["default"]) for b in backends] == [("synthetic", True)]
    for result in first["results"]:
        assert result["backend"] == "synthetic"
        assert all(s["verdict"] == "ok" and s["correct"] for s in result["samples"]), result["samples"]
        assert result["correct_programs"]
    assert second["usage"]["calls"] == 0
    assert second["usage"]["cache_hits"] == 12
    assert [r["samples"][0]["raw"] for r in second["results"]] == [
        r["samples"][0]["raw"] for r in first["results"]
    ]


async def test_synthetic_teacher_is_reproducible_across_databases(tmp_path: Path) -> None:
    request = {"problems": seed_problems(2), "k": 2, "sampling": {"seed": 11}}
    raws = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        async with running_teacher(settings(tmp_path / name, error_rate=0.3)) as client:
            data = (await client.post("/v1/rationales", json=request)).json()
        raws.append([s["raw"] for r in data["results"] for s in r["samples"]])
    assert raws[0] == raws[1]


async def test_synthetic_complex_variants_are_harder_and_verified(tmp_path: Path) -> None:
    sources = [{"id": f"s{i}", "text": p["text"]} for i, p in enumerate(seed_problems(3, steps=2))]
    request = {"problems": sources, "kind": "complex", "n": 1, "k": 3, "sampling": {"seed": 1}}
    async with running_teacher(settings(tmp_path)) as client:
        data = (await client.post("/v1/variants", json=request)).json()
    accepted = [p for p in data["problems"] if p["accepted"]]
    assert accepted, data["problems"]
    for problem in accepted:
        assert problem["steps"] > problem["parent_steps"]
        assert problem["answer"] is not None


async def test_synthetic_teacher_declines_what_it_cannot_read(tmp_path: Path) -> None:
    request = {
        "problems": [{"id": "x", "text": "What is the airspeed of an unladen swallow?"}],
        "kind": "similar",
    }
    async with running_teacher(settings(tmp_path)) as client:
        [problem] = (await client.post("/v1/variants", json=request)).json()["problems"]
    assert (problem["accepted"], problem["reason"]) == (False, "declined")
