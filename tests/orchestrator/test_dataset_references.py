"""``dataset:<id>`` references: parsed and resolved in one place (the datasets slice) for every stage."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from orchestrator.datasets import service as datasets
from orchestrator.driver import decontaminate

from .driver_setup import add_dataset


def test_only_whole_numbers_after_the_prefix_name_a_dataset() -> None:
    assert datasets.reference_id("dataset:12") == 12
    assert [
        datasets.reference_id(n) for n in ("dataset:", "dataset:x1", "dataset:-1", "gsm8k", "dataset:٣")
    ] == [None] * 5
    assert datasets.is_reference("dataset:x1")
    assert not datasets.is_reference("jsonl:dataset:1")


def test_a_reference_resolves_to_the_dataset_problems_in_import_order(db_sessionmaker) -> None:
    dataset_id = add_dataset(db_sessionmaker, ["Second?", "First?"], name="ordered")
    with db_sessionmaker() as session:
        problems = datasets.resolve_reference(session, f"dataset:{dataset_id}")
    assert [(p.id, p.question, p.answer, p.source) for p in problems] == [
        ("q0", "Second?", 1.0, f"dataset:{dataset_id}"),
        ("q1", "First?", 2.0, f"dataset:{dataset_id}"),
    ]


def test_a_missing_dataset_is_an_error_naming_it(db_session: Session) -> None:
    with pytest.raises(ValueError, match="dataset 999999 has no problems"):
        datasets.resolve_reference(db_session, "dataset:999999")


def test_a_leakage_reference_naming_no_dataset_is_compared_against_nothing(db_session: Session) -> None:
    # Run creation does not check leakage.benchmarks' dataset references; a malformed one used to fail
    # GENERATE on int("x"), on every retry, until the run failed.
    assert decontaminate._problems(db_session, "dataset:x") == []
    assert decontaminate._problems(db_session, "dataset:999999") == []
