"""Which benchmark test sets a run's generated problems are checked against for leakage."""

from __future__ import annotations

from orchestrator.driver.decontaminate import STANDARD_TEST_SETS, leakage_benchmarks
from orchestrator.runs.schemas import RunConfig


def test_default_compares_against_every_standard_test_set_and_the_evaluated_ones() -> None:
    config = RunConfig.model_validate({"name": "x", "evaluation": {"benchmarks": ["jsonl:/tmp/extra.jsonl"]}})
    names = leakage_benchmarks(config)
    assert set(STANDARD_TEST_SETS) <= set(names)  # FDD_DATA_DIR points at ../shared/data in the tests
    assert "jsonl:/tmp/extra.jsonl" in names


def test_explicit_list_is_used_as_given() -> None:
    config = RunConfig.model_validate({"name": "x", "leakage": {"benchmarks": ["svamp"]}})
    assert leakage_benchmarks(config) == ("svamp",)
    none = RunConfig.model_validate({"name": "x", "leakage": {"benchmarks": []}})
    assert leakage_benchmarks(none) == ()


def test_a_paraphrase_of_a_test_question_scores_at_the_threshold() -> None:
    """The content signal flags what word n-grams miss; the match's score carries the verdict."""
    from orchestrator.driver.decontaminate import best_matches

    config = RunConfig.model_validate({"name": "x", "leakage": {"benchmarks": ["gsm8k"]}})
    paraphrase = (
        "Lucas runs a housekeeping business. He has 3 clients and expects 5 more. Each client's home needs "
        "2 bottles of bleach, at $2 each, and one pack of cloths, at $5 each; these are his only costs. "
        "His weekly income is $92. What is his weekly profit in dollars?"
    )
    [match] = best_matches(None, config, [paraphrase])  # no dataset:<id> names: no session needed
    assert match.problem_id == "gsm8k/test/144"
    assert match.words.score < config.leakage.threshold <= match.score
