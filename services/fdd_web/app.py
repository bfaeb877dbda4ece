"""What every service app gets: error handlers, request logs, a body-size limit, the input guard,
``/healthz``, ``/readyz``; and, for the teacher and the student, the service-token check.

Middleware order, outermost first: request log (so every refusal is logged), service token (401 before
any byte of the body is read), body-size limit (413), input guard (422), the routes.

``/healthz`` answers while the process is up. ``/readyz`` runs the service's readiness checks (database,
Redis, sibling services) and answers 503 naming each failing dependency.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import SecretStr

from fdd_web.auth import ServiceTokenAuth
from fdd_web.errors import install_error_handlers
from fdd_web.guards import InputGuard
from fdd_web.limits import BodySizeLimit
from fdd_web.logs import RequestLogMiddleware

ReadyCheck = Callable[[FastAPI], Awaitable[None]]


def install(
    app: FastAPI,
    service: str,
    checks: dict[str, ReadyCheck] | None = None,
    *,
    max_body_bytes: int | None = None,
    service_token: SecretStr | None = None,
) -> None:
    """Add the shared middleware, error envelope and health endpoints to ``app``.

    ``max_body_bytes`` bounds request bodies (413); ``service_token`` makes every path but the health
    probes and the API description require ``Authorization: Bearer <token>`` (401).
    """
    install_error_handlers(app)
    app.add_middleware(InputGuard)  # add_middleware wraps: the last one added is the outermost
    if max_body_bytes is not None:
        app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    if service_token is not None:
        app.add_middleware(ServiceTokenAuth, token=service_token)
    app.add_middleware(RequestLogMiddleware, service=service)
    ready_checks = checks or {}

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @app.get("/readyz", tags=["health"])
    async def readyz() -> JSONResponse:
        results: dict[str, str] = {}
        for name, check in ready_checks.items():
            try:
                await asyncio.wait_for(check(app), timeout=5.0)
                results[name] = "ok"
            except Exception as exc:  # noqa: BLE001 - any failure means not ready; say which
                results[name] = f"error: {type(exc).__name__}: {exc}"[:300]
        ok = all(v == "ok" for v in results.values())
        status = 200 if ok else 503
        return JSONResponse(
            status_code=status,
            content={"status": "ok" if ok else "unavailable", "service": service, "checks": results},
        )
