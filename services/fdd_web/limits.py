"""A request-body size limit, answered with the shared error envelope (413) before the body is parsed.

Every service installs it (``fdd_web.app.install``) with its own ``max_body_bytes`` setting: a body whose
declared ``Content-Length`` is over the limit is refused before a byte is read, and a body sent without
one (chunked) is refused as soon as the bytes read pass the limit.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fdd_web.errors import envelope


class _TooLarge(Exception):
    pass


class BodySizeLimit:
    """Pure ASGI middleware: refuse bodies over ``max_bytes`` (declared length or bytes actually sent)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _TooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = envelope(
            413,
            f"request body over the limit of {self.max_bytes} bytes",
            "invalid_request_error",
            "too_large",
        )
        await response(scope, receive, send)
