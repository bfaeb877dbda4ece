"""Router assembly: every admin endpoint under ``/v1`` behind the bearer token; ``/metrics`` open."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from orchestrator import metrics
from orchestrator.auth import AdminOnly
from orchestrator.datasets.endpoints import router as datasets
from orchestrator.problems.endpoints import router as problems
from orchestrator.runs.endpoints import router as runs


def admin_router() -> APIRouter:
    router = APIRouter(prefix="/v1", dependencies=[AdminOnly])
    for sub in (datasets, runs, problems):
        router.include_router(sub)
    return router


def install_routes(app: FastAPI) -> None:
    app.include_router(admin_router())
    app.include_router(metrics.router)
