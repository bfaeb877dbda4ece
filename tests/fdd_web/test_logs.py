"""Service logs are plain JSON lines: no ANSI ``color_message`` copies, and no line per outgoing httpx
request (a student job is polled every 2 s) unless the level is DEBUG."""

from __future__ import annotations

import json
import logging

import pytest

from fdd_web.logs import JsonFormatter, configure_logging


def test_uvicorn_color_message_is_left_out() -> None:
    ansi = "\x1b[36mStarted\x1b[0m server process"
    record = logging.makeLogRecord({"msg": "Started server process", "color_message": ansi})
    line = json.loads(JsonFormatter().format(record))
    assert line["msg"] == "Started server process"
    assert "color_message" not in line


@pytest.mark.parametrize(("level", "logged"), [("INFO", False), ("DEBUG", True)])
def test_outgoing_requests_are_logged_only_at_debug(level: str, logged: bool) -> None:
    try:
        configure_logging(level)
        assert logging.getLogger("httpx").isEnabledFor(logging.INFO) is logged
    finally:
        configure_logging("INFO")
