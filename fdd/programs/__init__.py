"""Program-of-Thought programs: extraction from model output, and sandboxed execution.

A rationale is a short Python program whose answer is the value of `ans`. This package owns getting
that program out of a model's text (`extract`, `canonicalize`, `count_steps`) and running untrusted
programs safely and fast (`Sandbox`, `execute`, `execute_many`). The module-level functions use a
default pool created on first use and closed at exit; long-lived services may hold their own
`Sandbox` instead. Comparing the numbers programs produce is `fdd.answers`' job.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Iterable

from fdd.programs.extract import extract
from fdd.programs.measure import canonicalize, count_steps, measure
from fdd.programs.pool import DEFAULT_TIMEOUT, Sandbox
from fdd.programs.results import ErrorKind, ExecResult

ProgramExecutor = Sandbox

__all__ = [
    "DEFAULT_TIMEOUT",
    "ErrorKind",
    "ExecResult",
    "ProgramExecutor",
    "Sandbox",
    "canonicalize",
    "count_steps",
    "measure",
    "default_sandbox",
    "execute",
    "execute_many",
    "extract",
]

_default: Sandbox | None = None
_default_lock = threading.Lock()


def default_sandbox() -> Sandbox:
    """The process-wide pool behind `execute`/`execute_many` (created lazily, closed at exit)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Sandbox()
        return _default


def execute(program: str, timeout: float = DEFAULT_TIMEOUT) -> ExecResult:
    """Run one program in the default sandbox; `ExecResult.value` is the numeric value of `ans`."""
    return default_sandbox().execute(program, timeout)


def execute_many(programs: Iterable[str], timeout: float = DEFAULT_TIMEOUT) -> list[ExecResult]:
    """Run many programs in the default sandbox (batched over its workers); one result per program."""
    return default_sandbox().execute_many(programs, timeout)


def _close_default() -> None:
    global _default
    with _default_lock:
        sandbox, _default = _default, None
    if sandbox is not None:
        sandbox.close()


def _forget_default_after_fork() -> None:
    """A forked child must not share the parent's worker pipes; it builds its own pool when needed."""
    global _default, _default_lock
    _default, _default_lock = None, threading.Lock()


atexit.register(_close_default)
os.register_at_fork(after_in_child=_forget_default_after_fork)
