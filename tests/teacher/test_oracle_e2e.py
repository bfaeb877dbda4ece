"""The oracle teacher end to end over HTTP: GSM8K questions in, their gold programs run by the teacher's
sandbox and checked against gold out; unknown questions and variant requests declined; nothing paid."""

from __future__ import annotations

from pathlib import Path

import pytest

from fdd.datasets import load_gsm8k
from teacher.settings import TeacherSettings
from tests.fixtures.data import DATA_DIR
from tests.teacher.harness import running_teacher, sqlite_url

pytestmark = pytest.mark.anyio


def settings(tmp_path: Path) -> TeacherSettings:
    return TeacherSettings(backend="oracle", database_url=sqlite_url(tmp_path), exec_workers=1)


def gsm8k(split: str, *indexes: int) -> list[dict]:
    problems = load_gsm8k(DATA_DIR, split).problems
    return [
        {"id": problems[i].id, "text": problems[i].question, "gold": float(problems[i].answer)}
        for i in indexes
    ]


async def test_known_questions_get_gold_programs_whose_executed_answer_is_the_gold_one(
    tmp_path: Path,
) -> None:
    problems = gsm8k("test", 0, 1, 2) + gsm8k("train", 0, 1)
    request = {"problems": problems, "k": 2, "sampling": {"seed": 3}, "label": "oracle"}
    async with running_teacher(settings(tmp_path)) as client:
        data = (await client.post("/v1/rationales", json=request)).json()
        usage = (await client.get("/v1/usage")).json()
    for problem, result in zip(problems, data["results"], strict=True):
        assert (result["backend"], result["model"]) == ("oracle", "gsm8k-gold")
        assert [(s["verdict"], s["correct"]) for s in result["samples"]] == [("ok", True)] * 2, result
        assert all(s["answer"] == problem["gold"] for s in result["samples"])
        assert len(result["correct_programs"]) == 1  # k identical samples: one program
    assert data["usage"]["cost_usd"] == 0.0
    assert data["usage"]["prompt_tokens"] > 0
    assert data["usage"]["completion_tokens"] > 0
    assert usage["totals"]["cost_usd"] == 0.0
    assert usage["totals"]["completion_tokens"] == data["usage"]["completion_tokens"]


async def test_an_unknown_question_is_declined_with_the_reason_and_no_program(tmp_path: Path) -> None:
    problems = [{"id": "x", "text": "What is the airspeed of an unladen swallow?", "gold": 11.0}]
    async with running_teacher(settings(tmp_path)) as client:
        [result] = (await client.post("/v1/rationales", json={"problems": problems, "k": 1})).json()[
            "results"
        ]
    [sample] = result["samples"]
    assert (sample["verdict"], sample["correct"], sample["program"]) == ("no_program", False, None)
    assert "not a GSM8K question" in sample["raw"]
    assert result["correct_programs"] == []


@pytest.mark.parametrize("kind", ["complex", "similar"])
async def test_variants_are_declined_because_an_oracle_cannot_invent_problems(
    tmp_path: Path, kind: str
) -> None:
    sources = [{"id": p["id"], "text": p["text"]} for p in gsm8k("train", 0, 1)]
    request = {"problems": sources, "kind": kind, "n": 2, "k": 2}
    async with running_teacher(settings(tmp_path)) as client:
        data = (await client.post("/v1/variants", json=request)).json()
    assert len(data["problems"]) == 4
    for problem in data["problems"]:
        assert (problem["accepted"], problem["reason"]) == (False, "declined")
        assert "cannot invent problems" in problem["detail"]
    assert data["usage"]["cost_usd"] == 0.0
