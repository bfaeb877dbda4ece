"""Queries of the runs slice (no business rules, no commits)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orchestrator.enums import WorkStatus
from orchestrator.problems.models import Label, Problem
from orchestrator.runs.models import Evaluation, Round, Run, WorkItem
from orchestrator.runs.state import RunStatus


def get(session: Session, run_id: int, *, for_update: bool = False) -> Run | None:
    """The run, locked FOR UPDATE when asked (so an admin action and the driver do not interleave)."""
    return session.get(Run, run_id, with_for_update=for_update or None)


def add(session: Session, run: Run) -> Run:
    session.add(run)
    session.flush()
    return run


def list_page(session: Session, limit: int, cursor: int | None, status: RunStatus | None) -> list[Run]:
    query = sa.select(Run).order_by(Run.id.desc()).limit(limit + 1)
    if cursor is not None:
        query = query.where(Run.id < cursor)
    if status is not None:
        query = query.where(Run.status == status)
    return list(session.scalars(query))


def rounds(session: Session, run_id: int) -> list[Round]:
    return list(session.scalars(sa.select(Round).where(Round.run_id == run_id).order_by(Round.index)))


def round_by_index(session: Session, run_id: int, index: int) -> Round | None:
    query = sa.select(Round).where(Round.run_id == run_id, Round.index == index)
    return session.scalars(query).first()


def evaluations(session: Session, round_ids: list[int]) -> list[Evaluation]:
    if not round_ids:
        return []
    query = sa.select(Evaluation).where(Evaluation.round_id.in_(round_ids)).order_by(Evaluation.id)
    return list(session.scalars(query))


def work_counts(session: Session, run_id: int) -> list[tuple[str, WorkStatus, int]]:
    """(stage, status, count) of the run's work items."""
    query = (
        sa.select(WorkItem.stage, WorkItem.status, sa.func.count())
        .where(WorkItem.run_id == run_id)
        .group_by(WorkItem.stage, WorkItem.status)
    )
    return [(str(stage), status, n) for stage, status, n in session.execute(query)]


def origin_counts(session: Session, run_id: int) -> list[tuple[int, str, int]]:
    """(round_created, origin, count) of the run's problems."""
    query = (
        sa.select(Problem.round_created, Problem.origin, sa.func.count())
        .where(Problem.run_id == run_id)
        .group_by(Problem.round_created, Problem.origin)
    )
    return [(r, str(origin), n) for r, origin, n in session.execute(query)]


def label_counts(session: Session, round_ids: list[int]) -> list[tuple[int, str, int]]:
    """(round_id, label, count) over the given rounds."""
    if not round_ids:
        return []
    query = (
        sa.select(Label.round_id, Label.label, sa.func.count())
        .where(Label.round_id.in_(round_ids))
        .group_by(Label.round_id, Label.label)
    )
    return [(rid, str(label), n) for rid, label, n in session.execute(query)]
