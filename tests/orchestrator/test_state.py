"""The run state machine: every allowed transition, every forbidden one, and the stage pointer."""

from __future__ import annotations

import itertools

import pytest

from fdd.wire.runs import evaluates_beside
from fdd_web.errors import Conflict
from orchestrator.runs.models import Round, Run
from orchestrator.runs.state import (
    ROUND_TRANSITIONS,
    RUN_TRANSITIONS,
    TERMINAL,
    IllegalTransition,
    RoundStatus,
    RunStatus,
    Stage,
    StagePointer,
    advance_stage,
    next_stage,
    stage_sequence,
    transition,
    transition_round,
)

ALLOWED = sorted((a, b) for a, targets in RUN_TRANSITIONS.items() for b in targets)
FORBIDDEN = sorted((a, b) for a, b in itertools.product(RunStatus, RunStatus) if b not in RUN_TRANSITIONS[a])


SERIAL = {"evaluation": {"beside_teacher": False}}


def make_run(
    status: RunStatus = RunStatus.PENDING, rounds: int = 2, stage: Stage = Stage.INIT, **config: object
) -> Run:
    config = {"rounds": rounds, **SERIAL, **config}
    return Run(id=7, name="r", config=config, status=status, stage=stage, current_round=0)


def test_table_is_the_documented_machine() -> None:
    assert set(ALLOWED) == {
        (RunStatus.PENDING, RunStatus.RUNNING),
        (RunStatus.PENDING, RunStatus.PAUSED),
        (RunStatus.PENDING, RunStatus.CANCELLED),
        (RunStatus.RUNNING, RunStatus.PAUSED),
        (RunStatus.RUNNING, RunStatus.DONE),
        (RunStatus.RUNNING, RunStatus.FAILED),
        (RunStatus.RUNNING, RunStatus.CANCELLED),
        (RunStatus.PAUSED, RunStatus.RUNNING),
        (RunStatus.PAUSED, RunStatus.CANCELLED),
    }
    assert all(not RUN_TRANSITIONS[s] for s in TERMINAL)


@pytest.mark.parametrize(("current", "new"), ALLOWED)
def test_allowed_transition_changes_status(current: RunStatus, new: RunStatus) -> None:
    run = make_run(current)
    transition(run, new)
    assert run.status is new
    assert (run.finished_at is not None) == (new in TERMINAL)


@pytest.mark.parametrize(("current", "new"), FORBIDDEN)
def test_forbidden_transition_is_a_conflict_and_changes_nothing(current: RunStatus, new: RunStatus) -> None:
    run = make_run(current)
    with pytest.raises(
        IllegalTransition, match=f"run 7 is {current.value}; cannot move to {new.value}"
    ) as info:
        transition(run, new)
    assert isinstance(info.value, Conflict)
    assert info.value.status_code == 409
    assert run.status is current


def test_first_start_is_stamped_once_and_terminal_releases_lease() -> None:
    run = make_run(RunStatus.PENDING)
    transition(run, RunStatus.RUNNING)
    started = run.started_at
    transition(run, RunStatus.PAUSED)
    transition(run, RunStatus.RUNNING)
    assert run.started_at == started
    run.lease_owner = "replica-1"
    transition(run, RunStatus.FAILED, error="teacher unreachable")
    assert (run.lease_owner, run.lease_until, run.error) == (None, None, "teacher unreachable")


@pytest.mark.parametrize(("current", "new"), list(itertools.product(RoundStatus, RoundStatus)))
def test_round_transitions_follow_their_table(current: RoundStatus, new: RoundStatus) -> None:
    round_ = Round(run_id=1, index=0, status=current)
    if new in ROUND_TRANSITIONS[current]:
        transition_round(round_, new)
        assert round_.status is new
    else:
        with pytest.raises(IllegalTransition):
            transition_round(round_, new)


def test_stage_sequence_runs_r_rounds_then_a_final_train_and_evaluate() -> None:
    names = [(p.stage.value, p.round) for p in stage_sequence(2)]
    assert names == [
        ("init", 0),
        ("train", 0),
        ("evaluate", 0),
        ("classify", 0),
        ("generate", 0),
        ("train", 1),
        ("evaluate", 1),
        ("classify", 1),
        ("generate", 1),
        ("train", 2),
        ("evaluate", 2),
        ("done", 2),
    ]


def test_beside_the_teacher_a_feedback_round_evaluates_while_generate_runs() -> None:
    names = [(p.stage.value, p.round) for p in stage_sequence(2, beside=True)]
    assert names == [
        ("init", 0),
        ("train", 0),
        ("classify", 0),
        ("generate", 0),  # its first step sends the round's evaluate jobs
        ("evaluate", 0),  # collects them
        ("train", 1),
        ("classify", 1),
        ("generate", 1),
        ("evaluate", 1),
        ("train", 2),
        ("evaluate", 2),  # the last round has no teacher work to go beside
        ("done", 2),
    ]
    assert [(p.stage.value, p.round) for p in stage_sequence(0, beside=True)] == [
        ("init", 0),
        ("train", 0),
        ("evaluate", 0),
        ("done", 0),
    ]


def test_a_run_evaluates_beside_the_teacher_unless_a_stop_criterion_reads_the_evaluation() -> None:
    assert not evaluates_beside({"rounds": 3})  # the default, and a config stored before the setting
    assert evaluates_beside({"rounds": 3, "evaluation": {"beside_teacher": True}, "plateau": None})
    assert not evaluates_beside({"rounds": 3, "evaluation": {"beside_teacher": False}})
    # a plateau is read from the round's evaluation before it classifies, a budget stop likewise
    told = {"beside_teacher": True}
    assert not evaluates_beside({"evaluation": told, "plateau": {"patience": 2, "min_delta": 0.0}})
    assert not evaluates_beside({"evaluation": told, "budget_usd": 1.0})


def test_advance_stage_follows_the_order_of_the_runs_config() -> None:
    beside = make_run(RunStatus.RUNNING, rounds=1, evaluation={"beside_teacher": True})
    pointers = [advance_stage(beside) for _ in range(len(stage_sequence(1, beside=True)) - 1)]
    assert pointers == stage_sequence(1, beside=True)[1:]
    serial = make_run(RunStatus.RUNNING, rounds=1, budget_usd=2.0, evaluation={"beside_teacher": True})
    pointers = [advance_stage(serial) for _ in range(len(stage_sequence(1)) - 1)]
    assert pointers == stage_sequence(1)[1:]


def test_stop_after_evaluation_ends_the_run_early() -> None:
    assert next_stage(Stage.EVALUATE, 1, 5, stop=True) == StagePointer(Stage.DONE, 1)
    assert next_stage(Stage.CLASSIFY, 1, 5, stop=True) == StagePointer(Stage.GENERATE, 1)


def test_next_stage_refuses_a_round_outside_the_run() -> None:
    with pytest.raises(ValueError, match="outside 0..2"):
        next_stage(Stage.TRAIN, 3, 2)


def test_advance_stage_walks_a_running_run_to_done() -> None:
    run = make_run(RunStatus.RUNNING, rounds=1)
    pointers = [advance_stage(run) for _ in range(len(stage_sequence(1)) - 1)]
    assert pointers[-1] == StagePointer(Stage.DONE, 1)
    assert (run.stage, run.current_round, run.status) == (Stage.DONE, 1, RunStatus.DONE)
    with pytest.raises(IllegalTransition):
        advance_stage(run)


def test_advance_stage_refuses_a_paused_run() -> None:
    run = make_run(RunStatus.PAUSED)
    with pytest.raises(IllegalTransition, match="run 7 is paused"):
        advance_stage(run)
    assert run.stage is Stage.INIT
