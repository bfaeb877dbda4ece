"""The work items of a teacher stage (INIT: one per seed problem; GENERATE: one per parent and kind).

Created once per round and stage (in bulk), read back pending in a stable order, closed by the stage's
record, and counted into the round's progress as the API shows it. A work item is what makes a teacher
stage resumable: a problem whose item is no longer pending is never asked for again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orchestrator.bulk import insert_rows
from orchestrator.enums import WorkKind, WorkStatus
from orchestrator.problems.models import Problem
from orchestrator.runs.models import WorkItem
from orchestrator.runs.state import Stage

from . import rounds
from .chunks import split
from .context import RunSnapshot

_IDS_PER_QUERY = 5000  # bound parameters of one IN list (SQLite allows 32,766, Postgres 65,535 a statement)


class Pending(NamedTuple):
    """A pending work item with its problem as the teacher sees it."""

    problem_id: int
    kind: WorkKind
    question: str
    answer: float


def exist(session: Session, round_id: int, stage: Stage) -> bool:
    query = sa.select(WorkItem.id).where(WorkItem.round_id == round_id, WorkItem.stage == stage).limit(1)
    return session.execute(query).first() is not None


def add(session: Session, run: RunSnapshot, stage: Stage, keys: Iterable[tuple[int, WorkKind]]) -> int:
    """Create the round's pending items of ``stage``, one per (problem id, kind); return how many."""
    rows = (
        {"run_id": run.id, "round_id": run.round_id, "stage": stage, "problem_id": pid, "kind": kind}
        for pid, kind in keys
    )
    return insert_rows(session, WorkItem.__table__, rows)


def pending(session: Session, round_id: int, stage: Stage, limit: int) -> list[Pending]:
    """Up to ``limit`` pending items of the stage, by (kind, problem id)."""
    query = (
        sa.select(WorkItem.problem_id, WorkItem.kind, Problem.question, Problem.answer)
        .join(Problem, Problem.id == WorkItem.problem_id)
        .where(WorkItem.round_id == round_id, WorkItem.stage == stage, WorkItem.status == WorkStatus.PENDING)
        .order_by(WorkItem.kind, WorkItem.problem_id)
        .limit(limit)
    )
    return [Pending(*row) for row in session.execute(query)]


def by_key(
    session: Session, round_id: int, stage: Stage, problem_ids: Iterable[int]
) -> dict[tuple[int, WorkKind], WorkItem]:
    """The round's items of ``stage`` for ``problem_ids`` by (problem id, kind), to be closed by the stage's
    record. Only a step's own problems are loaded: the round's whole list, read at every step, made the
    recording of a round's answers quadratic in its size."""
    found: dict[tuple[int, WorkKind], WorkItem] = {}
    for ids in split(sorted(set(problem_ids)), _IDS_PER_QUERY):
        query = sa.select(WorkItem).where(
            WorkItem.round_id == round_id, WorkItem.stage == stage, WorkItem.problem_id.in_(ids)
        )
        found.update({(w.problem_id, w.kind): w for w in session.scalars(query)})
    return found


def fail_pending(session: Session, round_id: int, stage: Stage, error: str) -> None:
    session.execute(
        sa.update(WorkItem)
        .where(WorkItem.round_id == round_id, WorkItem.stage == stage, WorkItem.status == WorkStatus.PENDING)
        .values(status=WorkStatus.FAILED, error=error)
    )


def counts(session: Session, round_id: int, stage: Stage) -> dict[str, int]:
    """{done, failed, pending, total} of the round's work items of ``stage``."""
    rows = session.execute(
        sa.select(WorkItem.status, sa.func.count())
        .where(WorkItem.round_id == round_id, WorkItem.stage == stage)
        .group_by(WorkItem.status)
    ).all()
    by_status = {status.value: 0 for status in WorkStatus} | {WorkStatus(s).value: n for s, n in rows}
    return {**by_status, "total": sum(by_status.values())}


def record_progress(session: Session, round_id: int, stage: Stage) -> None:
    """The round's ``progress[stage]``: the counts of the stage's work items."""
    rounds.set_progress(session, round_id, stage.value, counts(session, round_id, stage))
