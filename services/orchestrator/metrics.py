"""Prometheus metrics of the orchestrator (``GET /metrics``, open like the health endpoints).

Request counts and latencies are kept in a registry owned by the app (so several apps in one process, as
in tests, never collide); runs by status and problems by origin are read from the database at scrape
time, so every replica reports the same truth.
"""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Scope

from fdd_web.logs import RequestObserver
from orchestrator.db import DbSession
from orchestrator.enums import Origin
from orchestrator.problems.models import Problem
from orchestrator.runs.models import Run
from orchestrator.runs.state import RunStatus

router = APIRouter(tags=["health"])


class RequestMetrics:
    """The app's request counter and latency histogram, labelled by route template (not raw path)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "fdd_orchestrator_requests",
            "HTTP requests.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "fdd_orchestrator_request_seconds",
            "HTTP request latency.",
            ["method", "route"],
            registry=self.registry,
        )


def route_template(scope: Scope) -> str:
    """The matched route as a template (``/v1/runs/{run_id}``), so labels stay few; ``unmatched`` if none."""
    if scope.get("route") is None:
        return "unmatched"
    pending = [(name, str(value)) for name, value in scope.get("path_params", {}).items()]
    parts = []
    for segment in scope["path"].split("/"):
        if pending and segment == pending[0][1]:
            segment = "{" + pending.pop(0)[0] + "}"
        parts.append(segment)
    return "/".join(parts)


class MetricsMiddleware(RequestObserver):
    """Feeds ``RequestMetrics``: requests by method, route template and status; latency by route."""

    def __init__(self, app: ASGIApp, metrics: RequestMetrics) -> None:
        super().__init__(app)
        self.metrics = metrics

    def record(self, scope: Scope, status: int, seconds: float) -> None:
        route = route_template(scope)
        self.metrics.requests.labels(scope["method"], route, str(status)).inc()
        self.metrics.latency.labels(scope["method"], route).observe(seconds)


def database_snapshot(session: Session) -> CollectorRegistry:
    """A throw-away registry with the runs-by-status and problems-by-origin gauges, read now."""
    registry = CollectorRegistry()
    runs = Gauge("fdd_orchestrator_runs", "Runs by status.", ["status"], registry=registry)
    counts = dict(session.execute(sa.select(Run.status, sa.func.count()).group_by(Run.status)).all())
    for status in RunStatus:
        runs.labels(status.value).set(counts.get(status, 0))
    problems = Gauge(
        "fdd_orchestrator_problems", "Problems in run pools by origin.", ["origin"], registry=registry
    )
    counts = dict(session.execute(sa.select(Problem.origin, sa.func.count()).group_by(Problem.origin)).all())
    for origin in Origin:
        problems.labels(origin.value).set(counts.get(origin, 0))
    return registry


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request, session: DbSession) -> Response:
    body = generate_latest(request.app.state.metrics.registry) + generate_latest(database_snapshot(session))
    return Response(body, media_type=CONTENT_TYPE_LATEST)
