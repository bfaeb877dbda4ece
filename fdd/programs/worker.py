"""The sandbox worker: a small stdlib-only process that runs many untrusted programs, one at a time.

Started by `fdd.programs.process` as `python -I -S -B -c <boot>` with a one-variable environment,
it imports everything it will ever need, then locks itself down — drops root to `nobody` when it
has it, and sets RLIMIT_AS (memory), RLIMIT_NPROC=0 (no new processes), RLIMIT_FSIZE=0 (no file
writes), RLIMIT_NOFILE (no new descriptors), RLIMIT_CORE=0 — and serves requests read from stdin.
Each program is re-checked against `policy` (defense in depth), hardened, and executed in a fresh
namespace whose builtins are a fixed safe set, under an interval timer (the per-program timeout)
and a moving RLIMIT_CPU (the backstop for C loops the timer cannot interrupt). Before each program
it writes one byte to its stderr (the progress pipe), so the parent knows which program was running
if the process dies or is killed from outside.

Wire format: 4-byte big-endian length + JSON. Request `{"op": "run", "timeout": s, "programs": [..]}`
→ reply `[[kind|null, value|null, detail], ...]`; request `{"op": "info"}` → a dict describing the
worker's identity, environment and limits (used by tests).
"""

from __future__ import annotations

import fractions
import json
import math
import os
import resource
import signal
import sys
import time
import types
import unicodedata  # noqa: F401 - the parser imports it lazily to NFKC-normalise identifiers
import warnings

try:  # imported by file inside the worker; as part of the package in tests
    from . import policy
except ImportError:
    import policy  # type: ignore[no-redef]

MAX_ABS_ANSWER = 10**18  # |ans| above this is too_large (fits a signed 64-bit column)
NOBODY = 65534
_MATH_GUARDS = {"factorial": 5_000, "comb": 20_000, "perm": 20_000}


class _Timeout(BaseException):
    """Raised by SIGALRM inside a program; BaseException so nothing the program does can swallow it."""


def _on_alarm(signum: int, frame: object) -> None:
    raise _Timeout


def _bounded(name: str, func, limit: int):
    def guarded(*args):
        if any(isinstance(a, int) and a > limit for a in args):
            raise OverflowError(f"math.{name} argument over {limit:,}")
        return func(*args)

    guarded.__name__ = name
    return guarded


def _safe_modules() -> dict[str, types.SimpleNamespace]:
    math_ns = {name: getattr(math, name) for name in policy.MATH_NAMES if hasattr(math, name)}
    math_ns.update({n: _bounded(n, getattr(math, n), lim) for n, lim in _MATH_GUARDS.items()})
    return {
        "math": types.SimpleNamespace(**math_ns),
        "fractions": types.SimpleNamespace(Fraction=fractions.Fraction),
    }


def _restricted_import(name, globals=None, locals=None, fromlist=(), level=0):  # noqa: A002
    module = MODULES.get(name)
    if module is None or level:
        raise ImportError(f"import of {name!r} is not allowed")
    return module


def _no_print(*args, **kwargs) -> None:
    """`print` inside the sandbox: accepted and ignored (PoT programs often print their answer)."""


MODULES = _safe_modules()


def _safe_builtins() -> dict[str, object]:
    import builtins

    table = {name: getattr(builtins, name) for name in policy.SAFE_BUILTINS if hasattr(builtins, name)}
    table.update(
        print=_no_print,
        pow=policy.guarded_pow,
        Fraction=fractions.Fraction,
        __import__=_restricted_import,
        ImportError=ImportError,
    )
    return table


BUILTINS = _safe_builtins()


def classify(namespace: dict) -> list:
    """[kind, value, detail] for the `ans` a finished program left behind."""
    if "ans" not in namespace:
        return ["no_answer", None, "the program never assigned `ans`"]
    value = namespace["ans"]
    if isinstance(value, bool) or not isinstance(value, int | float | fractions.Fraction):
        return ["non_numeric", None, f"`ans` is a {type(value).__name__}"]
    if isinstance(value, int):
        if abs(value) > MAX_ABS_ANSWER:
            return ["too_large", None, f"|ans| is over 10**18 (a {value.bit_length():,}-bit integer)"]
        return [None, int(value), ""]
    try:
        number = float(value)
    except OverflowError:
        return ["too_large", None, "`ans` overflows a float"]
    if math.isnan(number):
        return ["non_numeric", None, "`ans` is NaN"]
    if abs(number) > MAX_ABS_ANSWER:
        return ["too_large", None, f"`ans` is {number:g}"]
    return [None, number, ""]


def _compile(source: str):
    """Check against the allow-list, then compile; only programs that can contain ** or << are rewritten
    (the text test is exact: both are single tokens), the rest compile from source, which is faster."""
    tree = policy.check(source)
    if "**" in source or "<<" in source:
        return compile(policy.harden(tree), "<program>", "exec")
    return compile(source, "<program>", "exec")


def run_one(source: str, timeout: float) -> list:
    """Check, compile and execute one program; never raises (except _Timeout racing its disarm)."""
    _arm_cpu_limit(timeout)  # before compiling too: a pathological compile is stopped the same way
    try:
        code = _compile(source)
    except policy.PolicyError as exc:
        return ["forbidden", None, str(exc)[:300]]
    except ValueError as exc:
        return ["too_large", None, str(exc)[:300]]
    except (SyntaxError, RecursionError, MemoryError, OverflowError) as exc:
        return ["syntax", None, f"{type(exc).__name__}: {exc}"[:300]]
    except Exception as exc:  # noqa: BLE001 - the worker must outlive any input
        return ["runtime", None, f"checking the program failed: {type(exc).__name__}: {exc}"[:300]]
    namespace = {
        "__builtins__": BUILTINS,
        "__name__": "__program__",
        "_fdd_pow": policy.guarded_pow,
        "_fdd_lshift": policy.guarded_lshift,
    }
    try:
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            exec(code, namespace)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Timeout:
        return ["timeout", None, f"ran past {timeout:g} s"]
    except MemoryError:
        return ["memory", None, "MemoryError: allocation over the memory limit"]
    except OverflowError as exc:  # the size guards, float overflow, math range errors
        return ["too_large", None, f"OverflowError: {exc}"[:300]]
    except BaseException as exc:  # noqa: BLE001 - every exception of the program is a result
        return ["runtime", None, f"{type(exc).__name__}: {exc}"[:300]]
    try:
        return classify(namespace)
    except (MemoryError, ValueError) as exc:
        return ["too_large", None, f"{type(exc).__name__}: {exc}"[:300]]


_cpu_soft = -1


def _arm_cpu_limit(timeout: float) -> None:
    """Keep RLIMIT_CPU at about (CPU used + timeout + 1 s): a C loop the timer cannot stop gets SIGXCPU.

    The soft limit moves in whole seconds, so the syscall happens about once per CPU second.
    """
    global _cpu_soft
    wanted = int(time.process_time() + timeout) + 2
    if wanted != _cpu_soft:
        resource.setrlimit(resource.RLIMIT_CPU, (wanted, resource.RLIM_INFINITY))
        _cpu_soft = wanted


def lock_down(memory_bytes: int, keep_fds: int) -> None:
    """Drop root (to nobody) if we have it, then set the resource limits; nothing is opened afterwards."""
    if os.getuid() == 0:
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
    limits = {
        resource.RLIMIT_AS: memory_bytes,
        resource.RLIMIT_NPROC: 0,
        resource.RLIMIT_FSIZE: 0,
        resource.RLIMIT_NOFILE: keep_fds,
        resource.RLIMIT_CORE: 0,
    }
    for limit, value in limits.items():
        resource.setrlimit(limit, (value, value))


def info() -> dict:
    """Identity, environment and limits of this worker (for tests; nothing secret is in here)."""
    names = {"AS", "CPU", "NPROC", "FSIZE", "NOFILE", "CORE"}
    return {
        "pid": os.getpid(),
        "uid": os.getuid(),
        "env": sorted(os.environ),
        "limits": {n: list(resource.getrlimit(getattr(resource, f"RLIMIT_{n}"))) for n in names},
    }


def _read_exact(fd: int, size: int) -> bytes:
    chunks, missing = [], size
    while missing:
        chunk = os.read(fd, missing)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def _write_frame(fd: int, payload: object) -> None:
    data = json.dumps(payload, separators=(",", ":")).encode()
    view = memoryview(len(data).to_bytes(4, "big") + data)
    while view:
        view = view[os.write(fd, view) :]


def serve(progress_fd: int) -> None:
    """Answer requests from stdin until it closes."""
    while True:
        try:
            request = json.loads(_read_exact(0, int.from_bytes(_read_exact(0, 4), "big")))
        except EOFError:
            return
        if request.get("op") == "info":
            _write_frame(1, info())
            continue
        timeout = float(request["timeout"])
        results = []
        for source in request["programs"]:
            os.write(progress_fd, b"\x01")
            try:
                results.append(run_one(source, timeout))
            except _Timeout:  # the alarm fired between exec's end and the disarm
                results.append(["timeout", None, f"ran past {timeout:g} s"])
        _write_frame(1, results)


def main() -> None:
    """Entry point: argv = [progress_fd, memory_bytes]."""
    progress_fd, memory_bytes = int(sys.argv[1]), int(sys.argv[2])
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in a terminal is the parent's business
    warnings.simplefilter("ignore")  # compile-time warnings would only clutter the progress pipe
    lock_down(memory_bytes, keep_fds=max(progress_fd, 2) + 1)
    serve(progress_fd)
