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
