"""A round whose training was clearly too short is flagged in its metrics: accuracy collapsed against the
previous round, or most classified problems answered none (the newcomer's 14.0 → 0.0 → 7.3 % run)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from orchestrator.driver.round_metrics import previous_evaluations, round_warnings
from orchestrator.runs.models import Evaluation, Round, Run
from orchestrator.runs.state import RoundStatus, RunStatus, Stage


def evaluations(**accuracies: float) -> dict:
    return {name: {"accuracy": acc, "n": 300, "by_group": {}} for name, acc in accuracies.items()}


def test_an_accuracy_collapse_against_the_previous_round_is_flagged() -> None:
    metrics = {"evaluations": evaluations(svamp=0.0, gsm8k=0.30)}
    warnings = round_warnings(metrics, evaluations(svamp=0.14, gsm8k=0.32))
    assert len(warnings) == 1
    assert warnings[0].startswith("accuracy collapsed on svamp: 0.0 % vs 14.0 % in the previous round;")
    assert "too short" in warnings[0]


def test_most_answers_none_is_flagged() -> None:
    metrics = {"evaluations": evaluations(svamp=0.073), "labels": {"easy": 20, "hard": 33, "no_answer": 542}}
    (warning,) = round_warnings(metrics, evaluations(svamp=0.0))  # 0 → 7.3 % is no collapse
    assert warning.startswith("most answers none: 91 % no_answer (542 of 595 classified problems);")


def test_a_healthy_round_and_small_moves_are_not_flagged() -> None:
    assert (
        round_warnings({"evaluations": evaluations(svamp=0.42), "labels": {"easy": 9, "no_answer": 1}}, {})
        == []
    )
    assert (
        round_warnings({"evaluations": evaluations(svamp=0.02)}, evaluations(svamp=0.05)) == []
    )  # < 5 points
    assert round_warnings({"evaluations": evaluations(svamp=0.30)}, evaluations(svamp=0.45)) == []  # > half


def test_previous_evaluations_reads_the_round_before(db_session: Session) -> None:
    run = Run(name="w", config={}, status=RunStatus.RUNNING, stage=Stage.TRAIN, current_round=1)
    db_session.add(run)
    db_session.flush()
    first = Round(run_id=run.id, index=0, status=RoundStatus.DONE)
    db_session.add_all([first, Round(run_id=run.id, index=1, status=RoundStatus.RUNNING)])
    db_session.flush()
    db_session.add(Evaluation(round_id=first.id, benchmark="svamp", accuracy=0.14, n=300, by_group={}))
    db_session.flush()
    assert previous_evaluations(db_session, run.id, 1) == {
        "svamp": {"accuracy": 0.14, "n": 300, "by_group": {}}
    }
    assert previous_evaluations(db_session, run.id, 0) == {}
