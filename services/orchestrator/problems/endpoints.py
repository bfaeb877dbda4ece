"""HTTP endpoints of the problems slice: parse, call one service function, return."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from fdd_web.params import Id
from orchestrator.db import DbSession
from orchestrator.enums import LabelValue, Origin
from orchestrator.pagination import Cursor, Limit, Page
from orchestrator.problems import service
from orchestrator.problems.schemas import Lineage, ProblemRead, RejectionRead

router = APIRouter(tags=["problems"])

RoundQuery = Annotated[int | None, Query(ge=0, le=10, description="Round index.")]


StepsQuery = Annotated[int | None, Query(ge=1, le=1000, description="Only problems of this many steps.")]


@router.get("/runs/{run_id}/problems")
def list_problems(
    run_id: Id,
    session: DbSession,
    limit: Limit = 100,
    cursor: Cursor = None,
    round: RoundQuery = None,
    origin: Annotated[Origin | None, Query()] = None,
    label: Annotated[LabelValue | None, Query()] = None,
    label_round: RoundQuery = None,
    steps: StepsQuery = None,
) -> Page[ProblemRead]:
    """A run's problems; ``round`` = round created, ``label`` (in ``label_round`` or any round), ``steps``."""
    return service.list_problems(
        session, run_id, limit=limit, cursor=cursor, round_created=round, origin=origin, label=label,
        label_round=label_round, steps=steps,
    )  # fmt: skip


@router.get("/problems/{problem_id}/lineage")
def get_lineage(problem_id: Id, session: DbSession) -> Lineage:
    return service.get_lineage(session, problem_id)


@router.get("/runs/{run_id}/export")
def export_run(
    run_id: Id, session: DbSession, request: Request, round: RoundQuery = None
) -> StreamingResponse:
    """The distillation set (up to ``round``) as JSON lines: one line per (problem, correct rationale)."""
    service.check_export(session, run_id, round)
    body = service.export_jsonl(request.app.state.sessionmaker, run_id, round)
    filename = f"run{run_id}" + (f"-round{round}" if round is not None else "") + ".jsonl"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return StreamingResponse(body, media_type="application/x-ndjson", headers=headers)


@router.get("/runs/{run_id}/rejections")
def list_rejections(
    run_id: Id,
    session: DbSession,
    limit: Limit = 100,
    cursor: Cursor = None,
    round: RoundQuery = None,
    reason: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[RejectionRead]:
    return service.list_rejections(
        session, run_id, limit=limit, cursor=cursor, round_index=round, reason=reason
    )
