"""The dashboard under ``/ui``: login, runs, a run, its problems, a problem, experiments, and the JSON the
pages poll.

Each handler parses, calls one function of ``orchestrator.ui.service`` / ``problem_service`` /
``experiment_service`` (or the runs slice's ``control_run`` for the buttons) and renders. Pages need the
session cookie (or the bearer header); every POST needs the CSRF token. Filters arrive from an HTML form,
where an unset field is an empty string, so they are read as text and converted here (a bad value is a 422
naming the field).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from fdd_web.errors import Conflict
from orchestrator.db import DbSession
from orchestrator.enums import LabelValue, Origin
from orchestrator.errors import Invalid
from orchestrator.pagination import Cursor
from orchestrator.runs import service as runs_service
from orchestrator.ui import auth, experiment_service, problem_service, service
from orchestrator.ui.pages import HERE, PageRoute, render, safe_next

STATIC = {"ui.css": "text/css", "ui.js": "text/javascript"}
MAX_FORM_BYTES = 10_000

public = APIRouter(prefix="/ui", route_class=PageRoute, include_in_schema=False)
pages = APIRouter(
    prefix="/ui", route_class=PageRoute, include_in_schema=False,
    dependencies=[Depends(auth.require_page_viewer)],
)  # fmt: skip
data = APIRouter(prefix="/ui/api", include_in_schema=False, dependencies=[Depends(auth.require_json_viewer)])
Filter = Annotated[str, Query(max_length=32)]
Notice = Annotated[str, Query(max_length=200)]
Arm = Annotated[str, Query(max_length=100)]  # a label value is at most 100 characters


async def form_fields(request: Request) -> dict[str, str]:
    """The urlencoded body of a dashboard form (first value of each field)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise Invalid("body", "form too large")
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}


@public.get("/static/{name}")
def static_file(name: str) -> Response:
    if name not in STATIC:
        return Response(status_code=404)
    headers = {"Cache-Control": "max-age=300", "X-Content-Type-Options": "nosniff"}
    return FileResponse(HERE / "static" / name, media_type=STATIC[name], headers=headers)


@public.get("/login")
def login_form(request: Request, next: str = "/ui") -> Response:
    if auth.session_valid(request):
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next": safe_next(next), "failed": False})


@public.post("/login")
async def login(request: Request) -> Response:
    fields = await form_fields(request)
    target = safe_next(fields.get("next"))
    if not auth.token_matches(request, fields.get("token", "")):
        return render(request, "login.html", {"next": target, "failed": True}, status=401)
    response = RedirectResponse(target, status_code=303)
    auth.set_session(request, response)
    return response


@public.post("/logout")
async def logout(request: Request) -> Response:
    auth.check_csrf(request, (await form_fields(request)).get("csrf"))
    response = RedirectResponse("/ui/login", status_code=303)
    auth.clear_session(response)
    return response


@pages.get("")
def runs_page(request: Request, session: DbSession, cursor: Cursor = None) -> Response:
    overview = service.runs_overview(session, 50, cursor)
    return render(request, "runs.html", {**overview, "cursor": cursor})


@pages.get("/runs/{run_id}")
def run_page(
    request: Request, run_id: int, session: DbSession, notice: Notice = "", error: Notice = ""
) -> Response:
    context = {**service.run_page(session, run_id), "notice": notice, "error": error}
    return render(request, "run.html", context)


@pages.post("/runs/{run_id}/{action}")
async def control_run(
    request: Request, run_id: int, action: Literal["pause", "resume", "cancel"], session: DbSession
) -> Response:
    auth.check_csrf(request, (await form_fields(request)).get("csrf"))
    try:
        run = runs_service.control_run(session, run_id, action)
    except Conflict as exc:
        return RedirectResponse(f"/ui/runs/{run_id}?error={quote(exc.message[:200])}", status_code=303)
    return RedirectResponse(f"/ui/runs/{run_id}?notice={run.status.value}", status_code=303)


def _int(field: str, value: str, low: int, high: int) -> int | None:
    if value == "":
        return None
    if not value.isdigit() or not low <= int(value) <= high:
        raise Invalid(field, f"must be a whole number from {low} to {high}")
    return int(value)


def _choice(field: str, value: str, enum: Any) -> Any:
    if value == "":
        return None
    try:
        return enum(value)
    except ValueError:
        raise Invalid(field, f"must be one of {', '.join(m.value for m in enum)}") from None


@pages.get("/runs/{run_id}/problems")
def problems_page(
    request: Request,
    run_id: int,
    session: DbSession,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    round: Filter = "",
    origin: Filter = "",
    label: Filter = "",
    label_round: Filter = "",
    steps: Filter = "",
) -> Response:
    filters = {"round": round, "origin": origin, "label": label, "label_round": label_round, "steps": steps,
               "limit": str(limit) if limit != 50 else ""}  # fmt: skip
    page = problem_service.problems_page(
        session, run_id, limit=limit, cursor=cursor, round_created=_int("round", round, 0, 10),
        origin=_choice("origin", origin, Origin), label=_choice("label", label, LabelValue),
        label_round=_int("label_round", label_round, 0, 10), steps=_int("steps", steps, 0, 100),
    )  # fmt: skip
    return render(request, "problems.html", {**page, "filters": filters, "cursor": cursor})


@pages.get("/problems/{problem_id}")
def problem_page(request: Request, problem_id: int, session: DbSession) -> Response:
    return render(request, "problem.html", problem_service.problem_page(session, problem_id))


@pages.get("/experiments")
def experiments_page(request: Request, session: DbSession) -> Response:
    return render(request, "experiments.html", experiment_service.experiments_overview(session))


@pages.get("/experiments/{name:path}")
def experiment_page(request: Request, name: str, session: DbSession, baseline: Arm = "") -> Response:
    page = experiment_service.experiment_page(session, name, baseline or None)
    return render(request, "experiment.html", page)


@data.get("/runs")
def runs_data(session: DbSession, cursor: Cursor = None) -> dict[str, Any]:
    return service.runs_overview(session, 50, cursor)


@data.get("/runs/{run_id}")
def run_data(run_id: int, session: DbSession) -> dict[str, Any]:
    return service.run_summary(session, run_id)


def install_ui(app: FastAPI) -> None:
    for router in (public, pages, data):
        app.include_router(router)
