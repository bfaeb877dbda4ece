"""HTTP endpoints of the runs slice: parse, call one service function, return."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from fdd_web.params import Id
from orchestrator.db import DbSession
from orchestrator.pagination import Cursor, Limit, Page
from orchestrator.runs import service
from orchestrator.runs.schemas import RoundRead, RunBrief, RunConfig, RunRead
from orchestrator.runs.state import RunStatus

router = APIRouter(prefix="/runs", tags=["runs"])


@router.post("", status_code=status.HTTP_201_CREATED)
def create_run(config: RunConfig, session: DbSession, request: Request) -> RunRead:
    """Create a run in ``pending``; the background driver starts it."""
    return service.create_run(session, config, request.app.state.settings.student_queues)


@router.get("")
def list_runs(
    session: DbSession,
    limit: Limit = 100,
    cursor: Cursor = None,
    status: Annotated[RunStatus | None, Query()] = None,
) -> Page[RunBrief]:
    return service.list_runs(session, limit, cursor, status)


@router.get("/{run_id}")
def get_run(run_id: Id, session: DbSession) -> RunRead:
    return service.get_run(session, run_id)


@router.post("/{run_id}/pause")
def pause_run(run_id: Id, session: DbSession) -> RunRead:
    return service.control_run(session, run_id, "pause")


@router.post("/{run_id}/resume")
def resume_run(run_id: Id, session: DbSession) -> RunRead:
    return service.control_run(session, run_id, "resume")


@router.post("/{run_id}/cancel")
def cancel_run(run_id: Id, session: DbSession) -> RunRead:
    return service.control_run(session, run_id, "cancel")


@router.get("/{run_id}/rounds/{index}")
def get_round(run_id: Id, index: Id, session: DbSession) -> RoundRead:
    return service.get_round(session, run_id, index)
