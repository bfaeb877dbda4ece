"""fdd.programs under attack: each hostile program is contained, reported with the right error kind,
leaves no trace, and the sandbox keeps answering benign programs correctly afterwards."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fdd.programs import ErrorKind, Sandbox, policy

BENIGN = "apples = 12\neaten = 5\nans = (apples - eaten) * 3"
BENIGN_VALUE = 21


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(workers=2, timeout=1.0, kill_grace=0.5, memory_mb=256) as box:
        yield box


def run_with_benign(sandbox: Sandbox, program: str):
    """Run the hostile program between benign ones (same batch, same workers) and check those still work."""
    before, result, after = sandbox.execute_many([BENIGN + "\nx = 0", program, BENIGN])
    assert before.value == BENIGN_VALUE
    assert after.value == BENIGN_VALUE
    return result


FORBIDDEN = {
    "import os": "import os\nos.system('id')",
    "from import": "from os import system",
    "import subprocess": "import subprocess",
    "dunder import": "__import__('os').system('id')",
    "builtins": "__builtins__['eval']('1')",
    "class walk": "ans = ().__class__.__bases__[0].__subclasses__()",
    "mro walk": "ans = (1).__class__.__mro__[-1]",
    "globals via function": "def f():\n    pass\nans = f.__globals__",
    "generator frame": "g = (x for x in [1])\nans = g.gi_frame.f_back",
    "format attribute": "ans = '{0.__class__}'.format(1)",
    "format_map": "ans = '{x.real}'.format_map({'x': 1})",
    "str.format unbound": "ans = str.format('{0.__class__}', 1)",
    "f-string repr": "ans = f'{print!r}'",
    "f-string ascii": "x = 1\nans = f'{x!a}'",
    "eval": "ans = eval('1 + 1')",
    "exec": "exec('ans = 1')",
    "compile": "compile('1', 'x', 'eval')",
    "getattr": "ans = getattr(1, '__class__')",
    "globals()": "ans = globals()",
    "vars()": "ans = vars()",
    "type()": "ans = type(1)",
    "open read": "ans = open('/etc/passwd').read()",
    "fullwidth eval": "ans = \uff45val('1')",  # ｅval: NFKC-normalised to eval by the parser
    "script e exec": "\u212fxec('ans = 1')",  # ℯxec
    "fullwidth letter in dunder": "ans = ().__\uff43lass__",  # __ｃlass__
    "exit()": "exit()",
    "quit()": "quit()",
    "raise SystemExit": "raise SystemExit",
    "raise KeyboardInterrupt": "raise KeyboardInterrupt",
    "try/except swallowing": "try:\n    ans = 1\nexcept BaseException:\n    pass",
    "class definition": "class A:\n    pass",
    "with statement": "with open('x') as f:\n    pass",
    "attribute store": "import math\nmath.pi = 3",
    "decorator": "def d(f):\n    return f\n@d\ndef g():\n    pass",
    "yield": "def g():\n    yield 1",
    "async": "async def f():\n    pass",
    "relative import": "from . import policy",
    "math internals": "import math\nans = math.__loader__",
    "breakpoint": "breakpoint()",
    "input": "ans = input()",
}


@pytest.mark.parametrize("program", FORBIDDEN.values(), ids=FORBIDDEN.keys())
def test_forbidden_constructs_are_refused_and_named(sandbox: Sandbox, program: str) -> None:
    result = run_with_benign(sandbox, program)
    assert result.error_kind is ErrorKind.FORBIDDEN, result
    assert result.detail  # names the construct, e.g. "attribute '__class__' (line 1)"


def test_forbidden_detail_names_the_construct(sandbox: Sandbox) -> None:
    assert "'__subclasses__'" in sandbox.execute(FORBIDDEN["class walk"]).detail
    assert "'eval'" in sandbox.execute(FORBIDDEN["fullwidth eval"]).detail
    assert "'os'" in sandbox.execute(FORBIDDEN["import os"]).detail  # the first construct, in source order


def test_side_effect_attempts_leave_no_file(sandbox: Sandbox, tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    attempts = [
        f"open({str(target)!r}, 'w').write('x')",
        f"import os\nos.system('touch {target}')",
        f"__import__('os').system('touch {target}')",
        f"import subprocess\nsubprocess.run(['touch', {str(target)!r}])",
        f"import pathlib\npathlib.Path({str(target)!r}).touch()",
        "import socket\nsocket.create_connection(('127.0.0.1', 6379))",
        "import os\nos.fork()",
        "import os\nos.kill(os.getppid(), 9)",
        "import signal\nsignal.alarm(0)",
        "import sys\nsys.exit(0)",
    ]
    results = sandbox.execute_many(attempts)
    assert all(r.error_kind is ErrorKind.FORBIDDEN for r in results), results
    assert not target.exists()
    assert sandbox.execute(BENIGN).value == BENIGN_VALUE


SLOW_OR_HUGE = {
    "infinite loop": ("while True:\n    pass", ErrorKind.TIMEOUT),
    "busy loop with arithmetic": ("x = 0\nwhile True:\n    x = (x + 1) % 7", ErrorKind.TIMEOUT),
    "C-level loop (timer cannot stop it)": ("ans = sum(range(10**13))", ErrorKind.TIMEOUT),
    "memory bomb list": ("ans = len([0] * 10**10)", ErrorKind.MEMORY),
    "memory bomb str": ("ans = len('a' * 10**12)", ErrorKind.MEMORY),
    "power tower": ("ans = 10**10**10", ErrorKind.TOO_LARGE),
    "huge integer": ("ans = 2**100000", ErrorKind.TOO_LARGE),
    "pow builtin": ("ans = pow(7, 10**9)", ErrorKind.TOO_LARGE),
    "augmented power": ("x = 9\nx **= 10**9\nans = x", ErrorKind.TOO_LARGE),
    "shift": ("ans = 1 << 10**10", ErrorKind.TOO_LARGE),
    "factorial": ("import math\nans = math.factorial(10**7)", ErrorKind.TOO_LARGE),
    "fraction power": ("from fractions import Fraction\nans = Fraction(3, 2) ** 10**8", ErrorKind.TOO_LARGE),
    "answer over 1e18": ("ans = 10**30", ErrorKind.TOO_LARGE),
    "deep recursion": ("def f(n):\n    return f(n + 1)\nans = f(0)", ErrorKind.RUNTIME),
}


def test_slow_and_huge_programs_are_stopped(sandbox: Sandbox) -> None:
    """One batch, so the slow ones share the two workers: a few seconds in all."""
    programs = [program for program, _ in SLOW_OR_HUGE.values()]
    results = sandbox.execute_many([BENIGN, *programs, BENIGN])
    assert results[0].value == results[-1].value == BENIGN_VALUE
    for name, result in zip(SLOW_OR_HUGE, results[1:-1], strict=True):
        assert result.error_kind is SLOW_OR_HUGE[name][1], (name, result)
    assert sandbox.execute(BENIGN).value == BENIGN_VALUE


def test_memory_growth_hits_the_memory_limit(sandbox: Sandbox) -> None:
    # Touching 256 MB takes a while on a busy machine: a generous timeout keeps this about memory.
    result = sandbox.execute("x = []\nwhile True:\n    x.append(' ' * 10**8)", timeout=10)
    assert result.error_kind is ErrorKind.MEMORY
    assert sandbox.execute(BENIGN).value == BENIGN_VALUE


def test_a_killed_worker_is_replaced_and_the_rest_of_its_chunk_still_runs(sandbox: Sandbox) -> None:
    programs = [f"ans = {i} + 1" for i in range(40)]
    programs[17] = "ans = sum(range(10**13))"  # takes the whole worker down (CPU limit or outside kill)
    results = sandbox.execute_many(programs)
    assert results[17].error_kind is ErrorKind.TIMEOUT
    assert [r.value for i, r in enumerate(results) if i != 17] == [i + 1 for i in range(40) if i != 17]


@pytest.mark.parametrize(
    ("program", "kind"),
    [
        ("(" * 1000 + "1" + ")" * 1000, ErrorKind.SYNTAX),
        ("ans = " + "-" * 19_000 + "1", ErrorKind.SYNTAX),
        ("ans = " + "+".join(["1"] * 6000), ErrorKind.SYNTAX),
        ("ans = " + "lambda: " * 2000 + "1", ErrorKind.SYNTAX),
        ("ans = 1\x00", ErrorKind.SYNTAX),
        ("x = 1\n" * 100_000, ErrorKind.TOO_LARGE),
        ("ans = '" + "a" * 10_000_000 + "'", ErrorKind.TOO_LARGE),
    ],
    ids=["nested parens", "unary chain", "long sum", "nested lambdas", "null byte", "long program", "10 MB"],
)
def test_parse_bombs_and_huge_inputs(sandbox: Sandbox, program: str, kind: ErrorKind) -> None:
    assert run_with_benign(sandbox, program).error_kind is kind


def test_worker_runs_with_limits_a_clean_environment_and_no_privileges(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FDD_TEST_SECRET", "hunter2")
    with Sandbox(workers=1, memory_mb=256) as box:
        info = box.info()
    assert info["env"] == ["LC_ALL"]
    limits = info["limits"]
    assert limits["NPROC"] == [0, 0]
    assert limits["FSIZE"] == [0, 0]
    assert limits["CORE"] == [0, 0]
    assert limits["AS"] == [256 << 20, 256 << 20]
    assert limits["NOFILE"][0] <= 3
    assert info["uid"] != 0
    assert info["pid"] != os.getpid()


def test_hostile_and_benign_callers_at_once(sandbox: Sandbox) -> None:
    benign_ok: list[bool] = []

    def benign_caller() -> None:
        for _ in range(5):
            results = sandbox.execute_many([f"ans = {i} * 3" for i in range(50)])
            benign_ok.append([r.value for r in results] == [i * 3 for i in range(50)])

    thread = threading.Thread(target=benign_caller)
    thread.start()
    hostile = sandbox.execute_many(["while True:\n    pass", "ans = len([0] * 10**10)"])
    thread.join(60)
    assert [r.error_kind for r in hostile] == [ErrorKind.TIMEOUT, ErrorKind.MEMORY]
    assert benign_ok == [True] * 5


def test_the_allow_list_is_applied_in_the_parent_too() -> None:
    with pytest.raises(policy.PolicyError, match="__class__"):
        policy.check("ans = ().__class__")
    with Sandbox(workers=1, check_in_parent=True) as box:
        assert box.execute("import os").error_kind is ErrorKind.FORBIDDEN


def test_a_worker_killed_from_outside_while_idle_is_replaced() -> None:
    with Sandbox(workers=1, timeout=1.0) as box:
        os.kill(box.info()["pid"], signal.SIGKILL)
        time.sleep(0.1)
        assert box.execute(BENIGN).value == BENIGN_VALUE
        assert box.info()["pid"] > 0


def test_a_forked_child_gets_its_own_workers(sandbox: Sandbox) -> None:
    assert sandbox.execute(BENIGN).ok  # the parent has live workers before the fork
    pid = os.fork()
    if pid == 0:  # child: must not touch the parent's pipes
        code = 1
        try:
            code = 0 if sandbox.execute("ans = 6 * 7").value == 42 else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert sandbox.execute(BENIGN).value == BENIGN_VALUE


def test_several_worker_killers_in_one_batch_do_not_fail_innocent_programs() -> None:
    programs = [f"ans = {i}" for i in range(30)]
    for position in (3, 4, 5, 6):
        programs[position] = f"ans = sum(range(10**13 + {position}))"
    with Sandbox(workers=1, timeout=0.3, kill_grace=0.2, max_chunk=30) as box:
        results = box.execute_many(programs)
    assert [r.error_kind for r in results[3:7]] == [ErrorKind.TIMEOUT] * 4
    assert [r.value for i, r in enumerate(results) if not 3 <= i <= 6] == [
        i for i in range(30) if not 3 <= i <= 6
    ]
