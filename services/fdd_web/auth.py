"""The service token between fdd's services: ``Authorization: Bearer <FDD_SERVICE_TOKEN>``.

The teacher and the student install ``ServiceTokenAuth`` (through ``fdd_web.app.install``); the
orchestrator and the CLI send the token (``fdd.clients.base.ServiceClient``). It is a pure ASGI
middleware rather than a route dependency so that a request without the token is answered before its
body is read, size-checked or parsed: an anonymous caller learns nothing but 401. Only the health
probes and the API description stay open (the OpenAPI document is the repository's, not a secret).
The token is compared in constant time (``hmac.compare_digest``) and never logged or echoed.
"""

from __future__ import annotations

import hmac

from fastapi.security import HTTPBearer
from pydantic import SecretStr
from starlette.types import ASGIApp, Receive, Scope, Send

from fdd_web.errors import envelope

OPEN_PATHS = frozenset({"/healthz", "/readyz", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})

# Documents the header in the OpenAPI document (the Authorize button of /docs); auto_error=False because
# ServiceTokenAuth has already checked it by the time a route runs.
service_bearer = HTTPBearer(
    auto_error=False, scheme_name="ServiceToken", description="The services' FDD_SERVICE_TOKEN."
)


def bearer_token(authorization: str) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header value, or None for any other shape."""
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def token_matches(presented: str, expected: SecretStr) -> bool:
    """Whether ``presented`` is the expected token, in time that does not depend on where they differ."""
    return hmac.compare_digest(presented.encode(), expected.get_secret_value().encode())


class ServiceTokenAuth:
    """Answer 401 in the shared envelope unless the request carries the service token (open paths aside)."""

    def __init__(self, app: ASGIApp, token: SecretStr) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "") in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        header = b""
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                header = value
                break
        presented = bearer_token(header.decode("latin-1"))
        if presented is None:
            message, code = (
                "missing bearer token: send 'Authorization: Bearer <FDD_SERVICE_TOKEN>'",
                "missing_token",
            )
        elif not token_matches(presented, self.token):
            message, code = "invalid service token (FDD_SERVICE_TOKEN)", "invalid_token"
        else:
            await self.app(scope, receive, send)
            return
        response = envelope(401, message, "unauthorized", code)
        await response(scope, receive, send)
