"""What executing one program produced: the `ErrorKind` vocabulary and the `ExecResult` record.

This module owns the shapes every caller of the sandbox sees (teacher verification, student
evaluation, dataset conversion); how a result is produced lives in `fdd.programs.pool` (parent side)
and `fdd.programs.worker` (inside the sandboxed process).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorKind(StrEnum):
    """Why a program gave no usable answer. The string values travel over the worker pipe."""

    SYNTAX = "syntax"  # does not parse (also: too deeply nested, null bytes)
    FORBIDDEN = "forbidden"  # uses a construct outside the allow-list; detail names it
    TIMEOUT = "timeout"  # ran past its time limit (interval timer, CPU limit or wall-clock kill)
    MEMORY = "memory"  # allocation refused by the address-space limit
    RUNTIME = "runtime"  # raised an exception; detail starts with the exception type
    NO_ANSWER = "no_answer"  # finished without binding `ans`
    NON_NUMERIC = "non_numeric"  # `ans` is not an int, float or Fraction (bool, str, list, NaN …)
    TOO_LARGE = "too_large"  # program text over the length cap, or a huge number (|ans| > 1e18, 2**100000)


@dataclass(frozen=True, slots=True)
class ExecResult:
    """Outcome of one program.

    `value` is the numeric value of `ans` when `ok` (an `int` stays an `int`, a `Fraction` becomes a
    `float`); otherwise `None`, with `error_kind` saying why and `detail` a short human-readable note.
    """

    ok: bool
    value: int | float | None
    error_kind: ErrorKind | None = None
    detail: str = ""

    @classmethod
    def success(cls, value: int | float) -> ExecResult:
        return cls(True, value, None, "")

    @classmethod
    def failure(cls, kind: ErrorKind | str, detail: str = "") -> ExecResult:
        return cls(False, None, ErrorKind(kind), detail)
