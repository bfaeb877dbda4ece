"""Rendering for the dashboard: the Jinja environment, the page response with its security headers, and
the route class that turns a missing login into a redirect and an expected error into an HTML page.

Pages are HTML; the admin API's JSON error envelope would be a dead end in a browser, so ``PageRoute``
renders ``ServiceError`` (404, 409 …) and request-validation errors (422, naming the field) with
``error.html`` instead. The Content-Security-Policy allows only this origin's own script and style.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from fdd_web.errors import ServiceError
from orchestrator.ui.auth import LoginRequired, csrf_token, session_valid

HERE = Path(__file__).parent
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


def _usd(value: float | None) -> str:
    return "–" if value is None else f"${value:,.4f}"


def _num(value: object) -> str:
    if value is None:
        return "–"
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def _when(value: datetime | None) -> str:
    return "–" if value is None else value.strftime("%Y-%m-%d %H:%M")


env = Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined,
    trim_blocks=True, lstrip_blocks=True,
)  # fmt: skip
env.filters.update(pct=_pct, usd=_usd, when=_when, num=_num)


def render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    body = env.get_template(template).render(
        request=request, csrf=csrf_token(request), logged_in=session_valid(request), **context
    )
    return HTMLResponse(body, status_code=status, headers=HEADERS)


def safe_next(target: str | None) -> str:
    """Only a path inside the dashboard (no scheme, no other host) may be a redirect target."""
    if target and target.startswith("/ui") and not target.startswith("//") and "\\" not in target:
        return target
    return "/ui"


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", {"status": status, "message": message}, status=status)


class PageRoute(APIRoute):
    """An APIRoute whose failures are pages: login redirect, HTML 4xx."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/ui/login?next={quote(target, safe='')}", status_code=303)
            except ServiceError as exc:
                return error_page(request, exc.status_code, exc.message)
            except RequestValidationError as exc:
                first = exc.errors()[0] if exc.errors() else {}
                field = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "path", "body"))
                return error_page(request, 422, f"{field or 'request'}: {first.get('msg', 'invalid')}")

        return route
