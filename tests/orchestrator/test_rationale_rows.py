"""The one builder of rationale rows, for a seed's rationales (INIT) and a variant's programs (GENERATE)."""

from __future__ import annotations

from fdd.wire.teacher import NewProblem, RationaleResult, Sample
from orchestrator.problems.service import program_hash, rationale_rows

META = {"backend": "fake", "model": "fake-1", "prompt_version": "v1"}


def _sample(index: int, program: str, tokens: int) -> Sample:
    return Sample(
        index=index, raw=program, program=program, verdict="ok", answer=2.0, correct=True, cached=False,
        prompt_tokens=tokens, completion_tokens=tokens, cost_usd=tokens / 100,
    )  # fmt: skip


def test_one_row_per_distinct_program_with_its_sample_usage() -> None:
    result = RationaleResult(
        id="7",
        samples=[_sample(0, "ans = 2", 10), _sample(1, "x = 2\nans = x", 20)],
        correct_programs=["ans = 2", "x = 2\nans = x", "ans = 2"],
        **META,
    )
    rows = rationale_rows(7, result, result.correct_programs, 2.0, 0)
    assert [(r["problem_id"], r["program"], r["prompt_tokens"], r["cost_usd"]) for r in rows] == [
        (7, "ans = 2", 10, 0.1),
        (7, "x = 2\nans = x", 20, 0.2),
    ]
    assert rows[0]["program_hash"] == program_hash("ans = 2")
    assert {(r["backend"], r["model"], r["prompt_version"], r["round_index"]) for r in rows} == {
        ("fake", "fake-1", "v1", 0)
    }


def test_programs_that_differ_only_in_outer_white_space_are_one_rationale() -> None:
    # The (problem, program hash) pair is unique and the hash strips the text: two such programs of one
    # variant used to be two rows with one hash (an IntegrityError that failed GENERATE's step).
    new = NewProblem(
        parent_id="3", kind="similar", index=0, text="t", accepted=True, answer=4.0,
        programs=["ans = 4", "ans = 4\n"], **META,
    )  # fmt: skip
    rows = rationale_rows(11, new, new.programs, 4.0, 2)
    assert [(r["program"], r["prompt_tokens"], r["round_index"]) for r in rows] == [("ans = 4", 0, 2)]
