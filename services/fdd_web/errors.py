"""One base error with a status code, and one JSON envelope for every 4xx/5xx response.

The envelope is ``{"error": {"message", "type", "code"}}`` (OpenAI's shape), whether the error came from
our own ``ServiceError``, from request validation (422, the message names the field) or from an
unexpected exception (500, logged with its traceback, never shown to the client).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("fdd.web")


class ServiceError(Exception):
    """An expected condition, rendered as ``status_code`` with a clear message."""

    status_code = 400
    type = "invalid_request_error"

    def __init__(self, message: str, *, code: str | None = None, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        if status_code is not None:
            self.status_code = status_code


class NotFound(ServiceError):
    status_code = 404
    type = "not_found"


class Conflict(ServiceError):
    status_code = 409
    type = "conflict"


class Unauthorized(ServiceError):
    status_code = 401
    type = "unauthorized"


class Unavailable(ServiceError):
    status_code = 503
    type = "unavailable"


class Refused(ServiceError):
    """A data or model reference outside the allowed roots (``fdd.references``): 422 naming the field,
    with the same message whether or not the named file exists."""

    status_code = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", code="reference_refused")
        self.field = field


class _ErrorDetail(BaseModel):
    message: str
    type: str
    code: str | None = None


class _ErrorEnvelope(BaseModel):
    """The body of every 4xx/5xx answer."""

    error: _ErrorDetail


# The refusals any route of a service may answer, for an APIRouter's ``responses`` (the OpenAPI spec
# then documents every status a client can get; the fuzz test in tests/fuzz checks it).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": _ErrorEnvelope, "description": description}
    for status, description in (
        (400, "The body could not be read (not UTF-8 text)."),
        (401, "Missing or wrong bearer token."),
        (404, "The named resource does not exist."),
        (409, "The request conflicts with the resource's state."),
        (413, "The body is larger than the service accepts."),
        (422, "Invalid input; the message names the field."),
    )
}


def envelope(status: int, message: str, type_: str, code: str | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"error": {"message": message, "type": type_, "code": code, **extra}}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(status_code=status, content=body, headers=headers)


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def _service_error(_: Request, exc: ServiceError) -> JSONResponse:
        return envelope(exc.status_code, exc.message, exc.type, exc.code)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        details = [{"field": _field(e.get("loc", ())), "message": e.get("msg", "")} for e in errors]
        first = details[0] if details else {"field": "body", "message": "invalid request"}
        message = f"{first['field']}: {first['message']}"
        return envelope(422, message, "invalid_request_error", "validation_error", details=details)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return envelope(exc.status_code, str(exc.detail), "http_error")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return envelope(500, "internal server error", "server_error")
