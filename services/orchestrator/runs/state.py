"""The run state machine: statuses, the stage pointer, and the only functions that change them.

A run's ``status`` moves through ``RUN_TRANSITIONS`` and only through ``transition``; a round's through
``ROUND_TRANSITIONS`` and ``transition_round``. The stage pointer ``(run.stage, run.current_round)`` moves
only through ``advance_stage``: ``init`` → [``train`` → ``evaluate`` → ``classify`` → ``generate``] for each
round r = 0 … R-1 → ``train`` → ``evaluate`` of round R → ``done``. A run that evaluates beside the teacher
(``evaluation.beside_teacher``; ``fdd.wire.runs.evaluates_beside``) runs a feedback round as [``train`` →
``classify`` → ``generate`` → ``evaluate``]: its evaluate job is sent as GENERATE starts, so that the student
evaluates the round's checkpoint while the teacher writes, and EVALUATE collects the result. Persisting the
change is the caller's (the session commits); creating round rows and doing the stage's work is the driver's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

from fdd.wire.runs import evaluates_beside
from fdd_web.errors import Conflict

if TYPE_CHECKING:
    from orchestrator.runs.models import Round, Run


class RunStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class RoundStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Stage(StrEnum):
    INIT = "init"
    TRAIN = "train"
    EVALUATE = "evaluate"
    CLASSIFY = "classify"
    GENERATE = "generate"
    DONE = "done"


RUN_TRANSITIONS: dict[RunStatus, frozenset[RunStatus]] = {
    RunStatus.PENDING: frozenset({RunStatus.RUNNING, RunStatus.PAUSED, RunStatus.CANCELLED}),
    RunStatus.RUNNING: frozenset({RunStatus.PAUSED, RunStatus.DONE, RunStatus.FAILED, RunStatus.CANCELLED}),
    RunStatus.PAUSED: frozenset({RunStatus.RUNNING, RunStatus.CANCELLED}),
    RunStatus.DONE: frozenset(),
    RunStatus.FAILED: frozenset(),
    RunStatus.CANCELLED: frozenset(),
}

ROUND_TRANSITIONS: dict[RoundStatus, frozenset[RoundStatus]] = {
    RoundStatus.PENDING: frozenset({RoundStatus.RUNNING, RoundStatus.FAILED}),
    RoundStatus.RUNNING: frozenset({RoundStatus.DONE, RoundStatus.FAILED}),
    RoundStatus.DONE: frozenset(),
    RoundStatus.FAILED: frozenset(),
}

TERMINAL = frozenset({RunStatus.DONE, RunStatus.FAILED, RunStatus.CANCELLED})
# Statuses in which the driver works on a run (a paused run keeps its lease-free pointer untouched).
ACTIVE = frozenset({RunStatus.PENDING, RunStatus.RUNNING})


class IllegalTransition(Conflict):
    """A status change that the transitions table does not allow (rendered as 409)."""

    def __init__(self, what: str, current: StrEnum, new: StrEnum) -> None:
        super().__init__(f"{what} is {current.value}; cannot move to {new.value}", code="illegal_transition")
        self.current = current
        self.new = new


def _now() -> datetime:
    return datetime.now(UTC)


def can_transition(current: RunStatus, new: RunStatus) -> bool:
    """Whether the table allows ``current`` → ``new``."""
    return new in RUN_TRANSITIONS[current]


def transition(run: Run, new_status: RunStatus, *, error: str | None = None) -> None:
    """Move ``run`` to ``new_status`` or raise ``IllegalTransition`` (409).

    Stamps ``started_at`` on the first move to running and ``finished_at`` on a terminal status; ``error``
    is recorded (for ``failed``). The lease is released on a terminal status.
    """
    current = RunStatus(run.status)
    if new_status not in RUN_TRANSITIONS[current]:
        raise IllegalTransition(f"run {run.id}", current, new_status)
    run.status = new_status
    if new_status is RunStatus.RUNNING and run.started_at is None:
        run.started_at = _now()
    if new_status in TERMINAL:
        run.finished_at = _now()
        run.lease_owner = None
        run.lease_until = None
    if error is not None:
        run.error = error


def transition_round(round_: Round, new_status: RoundStatus) -> None:
    """Move a round to ``new_status`` or raise ``IllegalTransition``; stamps started/finished times."""
    current = RoundStatus(round_.status)
    if new_status not in ROUND_TRANSITIONS[current]:
        raise IllegalTransition(f"round {round_.index} of run {round_.run_id}", current, new_status)
    round_.status = new_status
    if new_status is RoundStatus.RUNNING and round_.started_at is None:
        round_.started_at = _now()
    if new_status in (RoundStatus.DONE, RoundStatus.FAILED):
        round_.finished_at = _now()


class StagePointer(NamedTuple):
    stage: Stage
    round: int


def next_stage(
    stage: Stage, round_index: int, rounds: int, *, stop: bool = False, beside: bool = False
) -> StagePointer:
    """The pointer after ``(stage, round_index)`` in a run of ``rounds`` feedback rounds.

    Rounds 0 … rounds-1 run train, evaluate, classify, generate (``beside``: train, classify, generate,
    evaluate); round ``rounds`` only trains and evaluates. ``stop`` (a stop criterion met: teacher budget or
    plateau, which only a serial run has) ends the run after an evaluation; it is ignored at other stages.
    """
    if not 0 <= round_index <= rounds:
        raise ValueError(f"round {round_index} is outside 0..{rounds}")
    match stage:
        case Stage.INIT:
            return StagePointer(Stage.TRAIN, 0)
        case Stage.TRAIN if beside and round_index < rounds:
            return StagePointer(Stage.CLASSIFY, round_index)
        case Stage.TRAIN:
            return StagePointer(Stage.EVALUATE, round_index)
        case Stage.EVALUATE if stop or round_index >= rounds:
            return StagePointer(Stage.DONE, round_index)
        case Stage.EVALUATE if beside:
            return StagePointer(Stage.TRAIN, round_index + 1)
        case Stage.EVALUATE:
            return StagePointer(Stage.CLASSIFY, round_index)
        case Stage.CLASSIFY:
            return StagePointer(Stage.GENERATE, round_index)
        case Stage.GENERATE if beside:
            return StagePointer(Stage.EVALUATE, round_index)
        case Stage.GENERATE:
            return StagePointer(Stage.TRAIN, round_index + 1)
    raise IllegalTransition(f"stage pointer of a run at round {round_index}", stage, Stage.DONE)


def advance_stage(run: Run, *, stop: bool = False) -> StagePointer:
    """Move ``run``'s stage pointer one step (see ``next_stage``) and return the new pointer.

    The order is the run's config's (``evaluates_beside``). Reaching ``done`` also moves the run's status to
    done through ``transition``. The run must be running.
    """
    status = RunStatus(run.status)
    if status is not RunStatus.RUNNING:
        raise IllegalTransition(f"run {run.id}", status, RunStatus.RUNNING)
    rounds = int(run.config["rounds"])
    beside = evaluates_beside(run.config)
    pointer = next_stage(Stage(run.stage), run.current_round, rounds, stop=stop, beside=beside)
    run.stage = pointer.stage
    run.current_round = pointer.round
    if pointer.stage is Stage.DONE:
        transition(run, RunStatus.DONE)
    return pointer


def stage_sequence(rounds: int, *, beside: bool = False) -> list[StagePointer]:
    """Every pointer a run of ``rounds`` rounds passes through, in order, from init to done."""
    pointers = [StagePointer(Stage.INIT, 0)]
    while pointers[-1].stage is not Stage.DONE:
        last = pointers[-1]
        pointers.append(next_stage(last.stage, last.round, rounds, beside=beside))
    return pointers
