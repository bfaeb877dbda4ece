"""Input no database stores, refused at the edge: NUL characters and non-finite numbers, 422 naming the field.

Postgres refuses a NUL (U+0000) in text, and JSON has no NaN or Infinity; but Python's ``json`` reads
``NaN``, ``Infinity`` and ``1e400`` (as ``inf``) and a Pydantic ``float`` takes them, so left alone they
reach the database and fail there as a 500 after the transaction is rolled back. ``InputGuard`` looks at
the path, the query string and a JSON body before any route runs and answers 422 in the shared envelope,
naming the first offending field the way request validation does (``problems.3.question``). A body is
parsed here only when a cheap byte scan finds something suspect (``NaN``, ``Infinity``, ``\\u0000``, a
three-digit exponent, a 200-digit number, a raw NUL byte: UTF-16/32 bodies), so ordinary requests pay one
regex scan. Malformed JSON is left to FastAPI's own 422. Length limits and value ranges stay with the
schemas; ids beyond the database's integer columns with ``fdd_web.params``.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fdd_web.errors import envelope

_SUSPECT = re.compile(rb"\x00|NaN|Infinity|\\u0000|[eE][+-]?\d{3}|\d{200}")
NUL_MESSAGE = "must not contain NUL (U+0000) characters"
NONFINITE_MESSAGE = "must be a finite number (NaN, Infinity and values beyond 1.8e308 are refused)"


def find_unstorable(value: Any, path: tuple[str, ...] = ()) -> tuple[str, str] | None:
    """The first ``(field, message)`` in a parsed JSON value holding a NUL or a non-finite number."""
    stack: list[tuple[tuple[str, ...], Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, float) and (item != item or item in (float("inf"), float("-inf"))):
            return _field(where), NONFINITE_MESSAGE
        if isinstance(item, str) and "\x00" in item:
            return _field(where), NUL_MESSAGE
        if isinstance(item, dict):
            for key in item:
                if "\x00" in key:
                    return _field(where), f"field names {NUL_MESSAGE}"
            stack.extend((where + (key,), child) for key, child in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((where + (str(i),), child) for i, child in reversed(list(enumerate(item))))
    return None


def check_json_body(body: bytes) -> tuple[str, str] | None:
    """``(field, message)`` when a JSON body holds a NUL or a non-finite number, else None."""
    if not _SUSPECT.search(body):
        return None
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        return None  # not JSON: FastAPI reports it
    return find_unstorable(parsed)


def check_url(scope: Scope) -> tuple[str, str] | None:
    """``(field, message)`` when the path or a query parameter holds a NUL character."""
    if "\x00" in scope.get("path", ""):
        return "path", NUL_MESSAGE
    query = scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query:
        for key, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
            if "\x00" in key or "\x00" in value:
                return key.replace("\x00", "") or "query", NUL_MESSAGE
    return None


def _field(path: tuple[str, ...]) -> str:
    return ".".join(path) or "body"


def _json_content(scope: Scope) -> bool:
    """A body FastAPI may parse as JSON: an ``application/…json`` one, or one without a content type."""
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            kind = value.split(b";", 1)[0].strip().lower()
            return kind.startswith(b"application/") and (kind.endswith(b"/json") or kind.endswith(b"+json"))
    return True


class InputGuard:
    """ASGI middleware: refuse NUL characters and non-finite numbers with a 422 naming the field."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = check_url(scope)
        if (
            problem is None
            and scope.get("method") in ("POST", "PUT", "PATCH", "DELETE")
            and _json_content(scope)
        ):
            messages = await _read_all(receive)
            problem = check_json_body(b"".join(m.get("body", b"") for m in messages))
            receive = _replay(messages, receive)
        if problem is not None:
            field, message = problem
            details = [{"field": field, "message": message}]
            response = envelope(
                422, f"{field}: {message}", "invalid_request_error", "validation_error", details=details
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _read_all(receive: Receive) -> list[Message]:
    messages = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            return messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
