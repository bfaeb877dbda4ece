"""What the stages read and write on a run's row and its rounds' rows: checkpoints, progress, evaluations,
the student's compute seconds and the teacher's cost.

The round's metrics written here are the parts known during the round (``compute``, ``train``,
``pass_rates``); the rest is collected when the round closes (``round_metrics``). A missing checkpoint
is a ``StageFailed`` with the reason, not a crash.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from fdd.wire.student import EvaluateResult
from orchestrator.runs.models import Evaluation, Round, Run

from . import round_metrics
from .context import StageFailed


def checkpoint(session: Session, round_id: int) -> str:
    """The round's trained checkpoint (TRAIN records it before EVALUATE and CLASSIFY run)."""
    value = session.scalar(sa.select(Round.checkpoint).where(Round.id == round_id))
    if not value:
        raise StageFailed(f"round {round_id} has no checkpoint to evaluate")
    return value


def previous_checkpoint(session: Session, run_id: int, round_index: int) -> str | None:
    """The checkpoint of round ``round_index - 1`` (None for round 0)."""
    if round_index == 0:
        return None
    value = session.scalar(
        sa.select(Round.checkpoint).where(Round.run_id == run_id, Round.index == round_index - 1)
    )
    if not value:
        raise StageFailed(f"init=previous, but round {round_index - 1} recorded no checkpoint")
    return value


def set_checkpoint(session: Session, round_id: int, value: str) -> None:
    round_ = session.get(Round, round_id)
    assert round_ is not None
    round_.checkpoint = value


def set_progress(session: Session, round_id: int, key: str, value: dict[str, Any]) -> None:
    """Replace ``progress[key]`` of the round (the JSON column is reassigned so the change is saved)."""
    round_ = session.get(Round, round_id)
    if round_ is not None:
        round_.progress = {**(round_.progress or {}), key: value}


def add_compute(session: Session, round_id: int, stage: str, seconds: float | None, **metrics: Any) -> None:
    """Add a student job's own compute seconds for ``stage`` to the round's metrics, with ``metrics``."""
    round_ = session.get(Round, round_id)
    if round_ is not None:
        merged = round_metrics.add_compute(round_.metrics or {}, stage, seconds)
        round_.metrics = {**merged, **metrics}


def evaluated(session: Session, round_id: int) -> set[str]:
    """The benchmarks already evaluated in the round."""
    return set(session.scalars(sa.select(Evaluation.benchmark).where(Evaluation.round_id == round_id)))


def add_evaluation(session: Session, round_id: int, name: str, job_id: str, result: EvaluateResult) -> None:
    """Record one benchmark's result and its compute seconds (idempotent per round and benchmark)."""
    if name in evaluated(session, round_id):
        return
    session.add(
        Evaluation(
            round_id=round_id,
            benchmark=name,
            accuracy=result.accuracy,
            n=result.n,
            population_hash=result.population_hash,
            checkpoint=result.checkpoint,
            by_group=result.by_group,
            job_id=job_id,
        )
    )
    add_compute(session, round_id, "evaluate", result.seconds)


def teacher_cost(session: Session, run_id: int) -> float:
    return session.scalar(sa.select(Run.teacher_cost_usd).where(Run.id == run_id)) or 0.0


def add_teacher_cost(session: Session, run_id: int, cost: float) -> None:
    """Add ``cost`` to the run's teacher cost in the database (not read-modify-write)."""
    session.execute(
        sa.update(Run).where(Run.id == run_id).values(teacher_cost_usd=Run.teacher_cost_usd + cost)
    )
