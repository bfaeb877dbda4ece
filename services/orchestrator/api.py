"""Router assembly: every admin endpoint under ``/v1`` behind the bearer token; ``/metrics`` open.

The OpenAPI document names the bearer scheme (the Authorize button of ``/docs``) and the error
envelope that 401/404/409/422 answers really carry (not FastAPI's ``{detail}``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Security
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field

from orchestrator import metrics
from orchestrator.auth import AdminOnly
from orchestrator.datasets.endpoints import router as datasets
from orchestrator.problems.endpoints import router as problems
from orchestrator.runs.endpoints import router as runs


class ErrorDetail(BaseModel):
    message: str = Field(description="What went wrong, for a person; a 422 names the field first.")
    type: str = Field(description="unauthorized, not_found, conflict or invalid_request_error.")
    code: str | None = Field(None, description="A stable code when there is one (validation_error, …).")


class ErrorEnvelope(BaseModel):
    """The body of every 4xx/5xx answer."""

    error: ErrorDetail


def _error(description: str, message: str, type_: str, code: str | None = None) -> dict[str, Any]:
    example = {"error": {"message": message, "type": type_, "code": code}}
    return {
        "model": ErrorEnvelope,
        "description": description,
        "content": {"application/json": {"example": example}},
    }


CONFLICT = "run 1 is cancelled; cannot move to running"
INVALID = "rounds: Input should be less than or equal to 10"
ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error("The body could not be read.", "There was an error parsing the body", "http_error"),
    401: _error("Missing or wrong bearer token.", "invalid admin token", "unauthorized"),
    404: _error("The run, round, dataset or problem does not exist.", "run 999 not found", "not_found"),
    409: _error("The request conflicts with the resource's state.", CONFLICT, "conflict"),
    413: _error("The body is too large.", "body over the limit", "invalid_request_error", "too_large"),
    422: _error(
        "Invalid input; the message names the field.", INVALID, "invalid_request_error", "validation_error"
    ),
}

# auto_error=False: the scheme documents the header; require_admin still checks it and answers 401 in
# the envelope.
bearer = HTTPBearer(auto_error=False, description="The orchestrator's FDD_ORCHESTRATOR_ADMIN_TOKEN.")


def admin_router() -> APIRouter:
    router = APIRouter(prefix="/v1", dependencies=[Security(bearer), AdminOnly], responses=ERRORS)
    for sub in (datasets, runs, problems):
        router.include_router(sub)
    return router


def install_routes(app: FastAPI) -> None:
    app.include_router(admin_router())
    app.include_router(metrics.router)
