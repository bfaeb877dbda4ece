"""Per-stage progress of a round, as the API shows it: counts of work items and job progress."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orchestrator.enums import WorkStatus
from orchestrator.runs.models import Round, WorkItem
from orchestrator.runs.state import Stage


def work_counts(session: Session, round_id: int, stage: Stage) -> dict[str, int]:
    """{done, failed, pending, total} of the round's work items of ``stage``."""
    rows = session.execute(
        sa.select(WorkItem.status, sa.func.count())
        .where(WorkItem.round_id == round_id, WorkItem.stage == stage)
        .group_by(WorkItem.status)
    ).all()
    counts = {status.value: 0 for status in WorkStatus} | {WorkStatus(s).value: n for s, n in rows}
    return {**counts, "total": sum(counts.values())}


def set_progress(session: Session, round_id: int, key: str, value: dict[str, Any]) -> None:
    """Replace ``progress[key]`` of the round (the JSON column is reassigned so the change is saved)."""
    round_ = session.get(Round, round_id)
    if round_ is not None:
        round_.progress = {**(round_.progress or {}), key: value}
