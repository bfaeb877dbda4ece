"""Structured logs: one JSON object per line, and one line per HTTP request.

Messages never carry secrets: settings objects hold them as ``SecretStr`` and nothing here logs headers.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# color_message: uvicorn's copy of a message with ANSI colour codes, noise in a JSON line.
_RESERVED = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "color_message"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update({k: v for k, v in record.__dict__.items() if k not in _RESERVED})
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_logging(level: str = "INFO", service: str = "fdd") -> None:
    """Route the root logger to stderr as JSON lines (idempotent)."""
    root = logging.getLogger()
    root.setLevel(level.upper())
    for handler in list(root.handlers):
        if getattr(handler, "_fdd", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler._fdd = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    logging.getLogger("uvicorn.access").disabled = True  # our middleware writes the request line
    # httpx logs every request at INFO: a driver polling a student job every 2 s would flood the log.
    logging.getLogger("httpx").setLevel("DEBUG" if level.upper() == "DEBUG" else "WARNING")
    logging.getLogger(service).debug("logging configured")


class RequestObserver:
    """Pure ASGI middleware that calls ``record(scope, status, seconds)`` once per HTTP request
    (status 500 when the app raised before answering); subclasses decide what to record."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def record(self, scope: Scope, status: int, seconds: float) -> None:
        raise NotImplementedError

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            self.record(scope, status, time.perf_counter() - start)


class RequestLogMiddleware(RequestObserver):
    """One log line per request with method, path, status and duration."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        super().__init__(app)
        self.log = logging.getLogger(f"{service}.http")

    def record(self, scope: Scope, status: int, seconds: float) -> None:
        self.log.info(
            "request",
            extra={
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "ms": round(seconds * 1000, 2),
            },
        )
