"""The dashboard's login: a session cookie signed with the admin token, and CSRF tokens for its buttons.

Logging in with the admin token sets ``fdd_ui`` (HttpOnly, SameSite=Strict, Secure over https): the
cookie holds the time it was issued and an HMAC of it keyed by the admin token, never the token itself,
so changing the token ends every session. A page or JSON view of the dashboard accepts that cookie or
the admin API's bearer header. Every POST carries a CSRF token, an HMAC of the session cookie, checked
in constant time; SameSite=Strict already keeps other sites' forms from sending the cookie at all.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from fastapi import Request, Response

from fdd_web.errors import ServiceError, Unauthorized
from orchestrator.auth import require_admin

COOKIE = "fdd_ui"
SESSION_S = 12 * 3600


class LoginRequired(Exception):
    """A page was asked for without a session: the route sends the browser to the login form."""


class BadCsrf(ServiceError):
    status_code = 403
    type = "forbidden"

    def __init__(self) -> None:
        super().__init__("the form has expired or did not come from this dashboard; reload the page")


def _key(request: Request) -> bytes:
    return request.app.state.settings.admin_token.get_secret_value().encode()


def _sign(request: Request, purpose: str, value: str) -> str:
    return hmac.new(_key(request), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def token_matches(request: Request, token: str) -> bool:
    return hmac.compare_digest(token.strip().encode(), _key(request))


def new_session(request: Request) -> str:
    issued = str(int(time.time()))
    return f"{issued}.{_sign(request, 'session', issued)}"


def session_valid(request: Request) -> bool:
    issued, _, signature = request.cookies.get(COOKIE, "").partition(".")
    if not issued.isdigit() or not hmac.compare_digest(signature, _sign(request, "session", issued)):
        return False
    return 0 <= time.time() - int(issued) < SESSION_S


def set_session(request: Request, response: Response) -> None:
    response.set_cookie(
        COOKIE, new_session(request), max_age=SESSION_S, path="/ui", httponly=True, samesite="strict",
        secure=request.url.scheme == "https",
    )  # fmt: skip


def clear_session(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/ui", httponly=True, samesite="strict")


def csrf_token(request: Request) -> str:
    return _sign(request, "csrf", request.cookies.get(COOKIE, ""))[:32]


def check_csrf(request: Request, token: str | None) -> None:
    if not token or not session_valid(request) or not hmac.compare_digest(token, csrf_token(request)):
        raise BadCsrf()


def _authenticated(request: Request) -> bool:
    if session_valid(request):
        return True
    try:
        require_admin(request)
    except Unauthorized:
        return False
    return True


def require_page_viewer(request: Request) -> None:
    """For HTML pages: a session cookie (or the bearer header), else off to the login form."""
    if not _authenticated(request):
        raise LoginRequired()


def require_json_viewer(request: Request) -> None:
    """For the dashboard's JSON: a session cookie (or the bearer header), else 401."""
    if not _authenticated(request):
        raise Unauthorized("log in at /ui/login or send 'Authorization: Bearer <admin token>'")
