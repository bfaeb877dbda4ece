"""Leases on runs, so that several orchestrator replicas never drive the same run at once.

A replica claims a run with one conditional UPDATE (``lease_owner`` set only where the run is active
and its lease is free or expired); the database decides which of two racing replicas wins. The owner
renews the lease while it works and releases it when it stops; a replica that dies simply lets the
lease expire. Also here: reading the snapshot a step works on (moving a pending run to running and
opening its current round on the way).
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orchestrator.runs.models import Round, Run
from orchestrator.runs.schemas import RunConfig
from orchestrator.runs.state import ACTIVE, RoundStatus, RunStatus, Stage, transition, transition_round
from orchestrator.timestamps import utcnow

from .context import RunSnapshot


def _free(now):  # type: ignore[no-untyped-def]
    return sa.or_(Run.lease_until.is_(None), Run.lease_until < now)


def claim_runs(session: Session, owner: str, ttl_s: float, limit: int, exclude: set[int]) -> list[int]:
    """Lease up to ``limit`` active runs whose lease is free or expired; return their ids."""
    now = utcnow()
    candidates = session.scalars(
        sa.select(Run.id)
        .where(Run.status.in_(ACTIVE), _free(now))
        .order_by(Run.id)
        .limit(limit + len(exclude))
    ).all()
    claimed: list[int] = []
    for run_id in candidates:
        if run_id in exclude or len(claimed) >= limit:
            continue
        result = session.execute(
            sa.update(Run)
            .where(Run.id == run_id, Run.status.in_(ACTIVE), _free(now))
            .values(lease_owner=owner, lease_until=now + timedelta(seconds=ttl_s))
        )
        if result.rowcount == 1:
            claimed.append(run_id)
    return claimed


def renew_lease(session: Session, run_id: int, owner: str, ttl_s: float) -> bool:
    """Extend ``owner``'s lease on the run; False when the lease is no longer ``owner``'s."""
    result = session.execute(
        sa.update(Run)
        .where(Run.id == run_id, Run.lease_owner == owner)
        .values(lease_until=utcnow() + timedelta(seconds=ttl_s))
    )
    return result.rowcount == 1


def release_lease(session: Session, run_id: int, owner: str) -> None:
    """Give the lease back (no-op when ``owner`` no longer holds it)."""
    session.execute(
        sa.update(Run)
        .where(Run.id == run_id, Run.lease_owner == owner)
        .values(lease_owner=None, lease_until=None)
    )


def get_round(session: Session, run_id: int, index: int) -> Round:
    """The run's round ``index``, created (and moved to running) when missing."""
    round_ = session.scalars(sa.select(Round).where(Round.run_id == run_id, Round.index == index)).first()
    if round_ is None:
        round_ = Round(run_id=run_id, index=index, progress={}, metrics={})
        session.add(round_)
        session.flush()
    if round_.status is RoundStatus.PENDING:
        transition_round(round_, RoundStatus.RUNNING)
    return round_


def load_snapshot(session: Session, run_id: int, owner: str) -> RunSnapshot | None:
    """The run as a step sees it, or None when ``owner`` does not hold its lease.

    A pending run is started here (its first step moves it to running); the current round's row is
    created on first use and follows the run's stage pointer.
    """
    run = session.get(Run, run_id, with_for_update=True)
    if run is None or run.lease_owner != owner:
        return None
    if run.status is RunStatus.PENDING:
        transition(run, RunStatus.RUNNING)
    round_id = 0
    if run.status is RunStatus.RUNNING and run.stage is not Stage.DONE:
        round_ = get_round(session, run.id, run.current_round)
        round_.stage = run.stage
        round_id = round_.id
    return RunSnapshot(
        id=run.id,
        status=RunStatus(run.status),
        stage=Stage(run.stage),
        round_index=run.current_round,
        round_id=round_id,
        config=RunConfig.model_validate(run.config),
        teacher_cost_usd=float(run.teacher_cost_usd or 0.0),
    )
