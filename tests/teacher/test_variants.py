"""``/v1/variants`` over HTTP with the ``openai`` backend: generation, screening, consensus, complexity."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fdd.programs import count_steps
from tests.fixtures.fake_llm import FakeLLM, solve_program
from tests.fixtures.servers import fresh_postgres_database
from tests.teacher.harness import openai_settings, running_teacher, sqlite_url

pytestmark = pytest.mark.anyio
PARENT = "Add 3 and 4."
CHILD = "Add 3, 4 and 5."  # the fake's complex variant of PARENT


async def variants(
    fake: FakeLLM, tmp_path: Path, sources: list[dict[str, Any]], **request: Any
) -> dict[str, Any]:
    async with running_teacher(openai_settings(sqlite_url(tmp_path), fake.url)) as client:
        response = await client.post("/v1/variants", json={"problems": sources, "label": "r1", **request})
    assert response.status_code == 200, response.text
    return response.json()


async def test_complex_variant_is_accepted_with_its_consensus_answer(
    fake_llm: FakeLLM, tmp_path: Path
) -> None:
    source = {"id": "a", "text": PARENT, "program": solve_program(PARENT), "answer": 7}
    data = await variants(fake_llm, tmp_path, [source], kind="complex", n=1, k=3)
    [problem] = data["problems"]
    assert (problem["accepted"], problem["text"], problem["answer"]) == (True, CHILD, 12.0)
    assert problem["steps"] > problem["parent_steps"]
    assert problem["programs"]
    assert all(s["correct"] for s in problem["samples"])
    assert (problem["parent_id"], problem["kind"], problem["index"], problem["reason"]) == (
        "a",
        "complex",
        0,
        None,
    )


async def test_complex_variant_of_a_parent_without_program_uses_its_solution(
    fake_llm: FakeLLM, tmp_path: Path
) -> None:
    data = await variants(fake_llm, tmp_path, [{"id": "a", "text": PARENT}], kind="complex", n=1, k=3)
    [problem] = data["problems"]
    assert problem["accepted"]
    assert problem["parent_steps"] is not None
    assert problem["steps"] > problem["parent_steps"]


async def test_variant_needing_no_more_steps_than_its_parent_is_rejected(
    fake_llm: FakeLLM, tmp_path: Path
) -> None:
    long_program = solve_program("Add 1, 2, 3, 4, 5 and 6.")
    source = {"id": "a", "text": PARENT, "program": long_program}
    [problem] = (await variants(fake_llm, tmp_path, [source], kind="complex", n=1, k=3))["problems"]
    assert (problem["accepted"], problem["reason"]) == (False, "not_more_complex")
    assert problem["answer"] == 12.0


async def test_similar_problems_are_new_and_solved(fake_llm: FakeLLM, tmp_path: Path) -> None:
    data = await variants(fake_llm, tmp_path, [{"id": "a", "text": PARENT}], kind="similar", n=2, k=3)
    texts = [p["text"] for p in data["problems"]]
    assert all(p["accepted"] for p in data["problems"])
    assert len(set(texts)) == 2
    assert PARENT not in texts
    assert data["usage"]["calls"] > 0


async def test_disagreeing_solutions_mean_no_consensus(fake_llm: FakeLLM, tmp_path: Path) -> None:
    fake_llm.reset(wrong={CHILD})
    source = {"id": "a", "text": PARENT, "program": solve_program(PARENT)}
    [problem] = (await variants(fake_llm, tmp_path, [source], kind="complex", n=1, k=3))["problems"]
    assert (problem["accepted"], problem["reason"], problem["answer"]) == (False, "no_consensus", None)
    assert len(problem["samples"]) == 3


@pytest.mark.parametrize(
    ("fault", "reason"), [("declined", "declined"), ("prose", "malformed"), ("echo", "same_as_parent")]
)
async def test_unusable_completion_is_rejected_before_solving(
    fake_llm: FakeLLM, tmp_path: Path, fault: str, reason: str
) -> None:
    fake_llm.reset([fault])
    [problem] = (await variants(fake_llm, tmp_path, [{"id": "a", "text": PARENT}], kind="similar", n=1, k=3))[
        "problems"
    ]
    assert (problem["accepted"], problem["reason"], problem["samples"]) == (False, reason, [])
    assert fake_llm.state.calls == 1  # nothing was solved


async def test_the_same_new_problem_twice_is_a_duplicate(fake_llm: FakeLLM, tmp_path: Path) -> None:
    sources = [{"id": "a", "text": PARENT}, {"id": "b", "text": "Add 3  and 4."}]
    data = await variants(fake_llm, tmp_path, sources, kind="complex", n=1, k=3)
    assert [(p["parent_id"], p["accepted"], p["reason"]) for p in data["problems"]] == [
        ("a", True, None),
        ("b", False, "duplicate"),
    ]


async def test_upstream_failure_rejects_with_upstream_error(fake_llm: FakeLLM, tmp_path: Path) -> None:
    fake_llm.reset(["500"] * 6)
    [problem] = (await variants(fake_llm, tmp_path, [{"id": "a", "text": PARENT}], kind="similar", n=1, k=3))[
        "problems"
    ]
    assert (problem["accepted"], problem["reason"]) == (False, "upstream_error")
    assert "HTTP 500" in problem["detail"]


async def test_a_new_problem_written_with_nul_characters_is_stored_and_solved_without_them(
    fake_llm: FakeLLM,
) -> None:
    fake_llm.reset(["nul"])
    with fresh_postgres_database("fdd_teacher") as url:
        async with running_teacher(openai_settings(url, fake_llm.url)) as client:
            response = await client.post(
                "/v1/variants", json={"problems": [{"id": "a", "text": PARENT}], "kind": "complex", "k": 3}
            )
    assert response.status_code == 200, response.text
    [problem] = response.json()["problems"]
    assert (problem["text"], problem["accepted"], problem["answer"]) == (CHILD, True, 12.0)


def test_a_canonical_form_the_teacher_wrote_is_not_parsed_again_for_its_steps(monkeypatch) -> None:
    """The programs the teacher returns (canonical forms) come back as next round's parents: their steps
    are known from the parse that made them."""
    import teacher.execution as execution

    parsed: list[str] = []
    real = execution.measure
    monkeypatch.setattr(execution, "measure", lambda program: parsed.append(program) or real(program))
    program = "apples = 5  # the apples\npears = 7\nans = (apples + pears) * 2"
    canonical = execution.canonical_form(program)
    assert execution.program_steps(canonical) == count_steps(program) == 2
    assert parsed == [program]
