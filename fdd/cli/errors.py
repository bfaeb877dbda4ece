"""One error path for the command line: every failure a user can expect becomes one or two lines on
stderr and exit code 1; the traceback is shown only with ``fdd --debug`` (or ``FDD_CLI_DEBUG=1``).

Commands raise ``CliError`` for their own checks and let the clients' errors through; ``run`` turns
what reaches the top into a message. Usage errors (an unknown option) stay click's, exit code 2.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import yaml
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from fdd.cli.stack import StackError
from fdd.clients.base import ServiceError
from fdd.clients.orchestrator import OrchestratorError

# soft_wrap: a long message stays one line (the terminal wraps it) instead of being cut into several.
err_console = Console(stderr=True, soft_wrap=True, highlight=False)
state = {"debug": False}


class CliError(Exception):
    """An expected failure, with a message for a person (what happened, and what to do)."""


def describe(exc: BaseException) -> str:
    """The one-line message for an exception that reached the top of a command."""
    if isinstance(exc, CliError | StackError):
        return str(exc)
    if isinstance(exc, OrchestratorError):
        return f"{exc.status} {exc.message}" if exc.status else exc.message
    if isinstance(exc, ServiceError):
        return f"{exc.service}: {exc.status} {exc.message}" if exc.status else str(exc)
    if isinstance(exc, yaml.YAMLError | json.JSONDecodeError):
        return f"not valid YAML/JSON: {' '.join(str(exc).split())}"
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "value"
        return f"{field}: {first['msg']}"
    if isinstance(exc, FileNotFoundError) and exc.filename:
        return f"{exc.filename}: no such file"
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.filename}: {exc.strerror}"
    return f"unexpected {type(exc).__name__}: {exc} (`fdd --debug …` shows the traceback)"


def run(app: Callable[[], Any]) -> None:
    """Call the typer app; print an error that escapes a command as one line and exit 1."""
    try:
        app()
    except Exception as exc:
        if state["debug"]:
            raise
        err_console.print(f"[red]error:[/red] {escape(describe(exc))}")
        sys.exit(1)


def fail(message: str) -> None:
    """Stop the command with a one-line error."""
    raise CliError(message)
