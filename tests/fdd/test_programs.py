"""fdd.programs: extraction from model output, canonical form, step counts, and sandboxed execution."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from fdd.programs import (
    ErrorKind,
    ExecResult,
    Sandbox,
    canonicalize,
    count_steps,
    execute,
    execute_many,
    extract,
    measure,
)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(workers=2, timeout=1.0) as box:
        yield box


# -- extract ----------------------------------------------------------------------------------------

FENCED = "Let's compute.\n```python\napples = 5\nans = apples * 2\n```\nSo the answer is 10."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x = 3\nans = x * 2", "x = 3\nans = x * 2\n"),
        (FENCED, "apples = 5\nans = apples * 2\n"),
        ("```\nx = 1\nans = x + 1\n```", "x = 1\nans = x + 1\n"),
        ("```py\nx = 1\nans = x\n```", "x = 1\nans = x\n"),
        ("~~~python\nans = 4\n~~~", "ans = 4\n"),
        ("First try:\n```python\nans = 1\n```\nBetter:\n```python\nans = 2\n```\n", "ans = 2\n"),
        (
            "```python\n# apples\napples = 5  # five\nans = apples\nprint(ans)\n```",
            "# apples\napples = 5  # five\nans = apples\n",
        ),
        ("```python\na = 2\nb = a * 3\nprint(b)\n```", "a = 2\nb = a * 3\nans = b\n"),
        ("a = 3\nb = a + 1\nb", "a = 3\nb = a + 1\nans = b\n"),
        ("total = 10 + 5\nhalf = total / 3", "total = 10 + 5\nhalf = total / 3\nans = half\n"),
        ("x = 2; print(x)", "x = 2\nans = x\n"),
        (
            "Let me think.\n    total = 10\n    each = total / 4\n    print(each)\nSo 2.5.",
            "total = 10\neach = total / 4\nans = each\n",
        ),
        (
            "We compute:\ntotal = 10 + 5\nhalf = total / 3\nThe answer is 5.",
            "total = 10 + 5\nhalf = total / 3\nans = half\n",
        ),
        ("```python\nx = 5\nans = x\n", "x = 5\nans = x\n"),  # unclosed final fence
        (">>> x = 4\n>>> ans = x + 1", "x = 4\nans = x + 1\n"),
        ("ans = 1\r\nprint(ans)\r\n", "ans = 1\n"),
        ("total = 3 * 4\nprint(f'The answer is {total}.')", "total = 3 * 4\nans = total\n"),
        ("total = 3 * 4\nprint('Total:', total)", "total = 3 * 4\nans = total\n"),
        ("total = 3 * 4\nprint(f'{total:.2f} dollars')", "total = 3 * 4\nans = total\n"),
    ],
)
def test_extract_finds_the_program(text: str, expected: str) -> None:
    assert extract(text) == expected


def test_extract_inlines_a_simple_solution_function() -> None:
    text = (
        'def solution():\n    """Eggs."""\n    a = 4\n    b = a * 3\n    print(b)\n    return b + 1\n\n'
        "print(solution())"
    )
    assert extract(text) == "a = 4\nb = a * 3\nans = b + 1\n"


def test_extract_inlines_line_by_line_keeping_comments() -> None:
    text = (
        'To solve this:\n\n```python\ndef solution():\n    """Apples."""\n    # Initial number of apples\n'
        "    apples = 10\n    eaten = 3  # eaten\n    print(eaten)\n"
        "    left = apples - eaten\n    return left\n\n"
        "print(solution())\n```\n"
    )
    expected = (
        "# Initial number of apples\napples = 10\neaten = 3  # eaten\nleft = apples - eaten\nans = left\n"
    )
    assert extract(text) == expected


def test_extract_inlines_through_the_ast_when_lines_do_not_allow_it() -> None:
    text = "def solution():\n    if True:\n        print(1)\n    return (2 +\n        3)\nsolution()"
    assert extract(text) == "if True:\n    pass\nans = 2 + 3\n"


def test_extract_calls_a_solution_function_it_cannot_inline() -> None:
    text = "def solve():\n    a = 4\n    if a > 3:\n        return a\n    return 0\n"
    program = extract(text)
    assert program is not None
    assert program.endswith("ans = solve()\n")
    assert program.startswith("def solve():\n")


def test_extract_answers_with_an_existing_result_variable() -> None:
    text = "def solution():\n    if True:\n        return 3\n    return 4\nresult = solution()\nprint(result)"
    program = extract(text)
    assert program is not None
    assert program.endswith("result = solution()\nans = result\n")


def test_extract_keeps_a_function_body_valid_when_only_a_print_was_in_it() -> None:
    assert extract("def f():\n    print(1)\nans = 2") == "def f():\n    pass\nans = 2\n"


@pytest.mark.parametrize(
    "text", ["", "   ", None, "no code here at all.", "The answer is 42.", "```text\nhello\n```"]
)
def test_extract_returns_none_without_a_program(text: str | None) -> None:
    assert extract(text) is None


def test_extracted_programs_run_to_the_expected_answer(sandbox: Sandbox) -> None:
    texts = [FENCED, "def solution():\n    return 6 * 7\nprint(solution())", "a = 3\nb = a + 1\nb"]
    programs = [extract(t) for t in texts]
    assert all(programs)
    assert [r.value for r in sandbox.execute_many(programs)] == [10, 42, 4]  # type: ignore[arg-type]


# -- canonicalize / count_steps -----------------------------------------------------------------------


def test_canonicalize_ignores_layout_comments_and_docstrings() -> None:
    a = '"""Eggs."""\nx=1 # one\nans = ( x+2 )\n'
    b = "x = 1\n\nans = x + 2"
    assert canonicalize(a) == canonicalize(b) == "x = 1\nans = x + 2"
    assert canonicalize("x = 1\nans = x + 3") != canonicalize(b)


def test_canonicalize_collapses_whitespace_of_text_that_does_not_parse() -> None:
    assert canonicalize("ans =  (\n 1") == "ans = ( 1"


@pytest.mark.parametrize(
    ("program", "steps"),
    [
        ("ans = 5", 0),
        ("ans = -5", 0),  # a negative literal is not an operation
        ("x = 4\nans = -x", 1),
        ("ans = 2 + 3 * 4", 2),
        ("x = 1\nx += 2\nans = x", 1),
        ("ans = round(7 / 2, 1)", 2),
        ("import math\nans = math.ceil(7 / 2) + max(1, 2)", 4),
        ("ans = int(7 / 2) + float(3)", 2),  # conversions are not steps
        ("ans = 1 if 2 > 1 else 0", 0),
        ("this is not python", 0),
    ],
)
def test_count_steps(program: str, steps: int) -> None:
    assert count_steps(program) == steps
    assert measure(program) == (canonicalize(program), steps)  # one parse, both measures


def test_measure_of_a_program_with_docstrings_and_of_text_that_does_not_parse() -> None:
    program = 'def f():\n    """Half."""\n    return 7 / 2\nans = f() + 1  # done'
    assert (
        measure(program)
        == (canonicalize(program), count_steps(program))
        == ("def f():\n    return 7 / 2\nans = f() + 1", 2)
    )
    assert measure("ans =  (\n 1") == ("ans = ( 1", 0)


def test_a_complex_variant_has_more_steps() -> None:
    parent = "eggs = 16 - 3 - 4\nans = eggs * 2"
    variant = "eggs = 16 - 3 - 4\nsold = eggs * 2\nans = sold - 5"
    assert count_steps(variant) > count_steps(parent)


# -- execute -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("program", "value"),
    [
        ("ans = 6 * 7", 42),
        ("x = 3\nans = x / 4", 0.75),
        ("from fractions import Fraction\nans = Fraction(1, 4) + Fraction(1, 4)", 0.5),
        ("import math\nans = math.sqrt(16) + math.ceil(1.2)", 6.0),
        ("from math import floor\nans = floor(7 / 2)", 3),
        ("total = 0\nfor i in range(5):\n    total += i\nans = total", 10),
        ("i = 0\nwhile i < 3:\n    i += 1\nans = i", 3),
        ("ans = sum([x * x for x in range(4)])", 14),
        ("def f(a, b=2):\n    return a * b\nans = f(5)", 10),
        ("ans = max(1, 2) if 3 > 2 else 0", 2),
        ("print('hello')\nans = 2 ** 10", 1024),
        ("prices = {'a': 2}\nprices['b'] = 3\nans = sum(prices.values())", 5),
        ("ans = round(2.675, 2)", 2.67),
        ("ans = 10**18", 10**18),
        ("ans = 10 ** -2", 0.01),
        ("ans = 2 ** -100000", 0.0),  # tiny, not huge
        ("x = 3\nx **= 2\nans = x", 9),
        ("ans = 1 << 10", 1024),
    ],
)
def test_execute_returns_the_value_of_ans(sandbox: Sandbox, program: str, value: object) -> None:
    result = sandbox.execute(program)
    assert result == ExecResult(True, value, None, "")
    assert type(result.value) is type(value)


def test_int_stays_int_and_fraction_becomes_float(sandbox: Sandbox) -> None:
    as_int, as_fraction = sandbox.execute_many(
        ["ans = 4 // 2", "from fractions import Fraction\nans = Fraction(4, 2)"]
    )
    assert type(as_int.value) is int
    assert type(as_fraction.value) is float


@pytest.mark.parametrize(
    ("program", "kind", "detail"),
    [
        ("ans = (1 +", ErrorKind.SYNTAX, "line 1"),
        ("ans = 1 / 0", ErrorKind.RUNTIME, "ZeroDivisionError"),
        ("ans = undefined_name + 1", ErrorKind.RUNTIME, "NameError"),
        ("x = 1", ErrorKind.NO_ANSWER, "ans"),
        ("ans = True", ErrorKind.NON_NUMERIC, "bool"),
        ("ans = '72'", ErrorKind.NON_NUMERIC, "str"),
        ("ans = [1]", ErrorKind.NON_NUMERIC, "list"),
        ("ans = float('nan')", ErrorKind.NON_NUMERIC, "NaN"),
        ("ans = float('inf')", ErrorKind.TOO_LARGE, "inf"),
        ("ans = 10**19", ErrorKind.TOO_LARGE, "10**18"),
        ("import os", ErrorKind.FORBIDDEN, "os"),
    ],
)
def test_execute_reports_why_there_is_no_answer(
    sandbox: Sandbox, program: str, kind: ErrorKind, detail: str
) -> None:
    result = sandbox.execute(program)
    assert not result.ok
    assert result.value is None
    assert result.error_kind is kind
    assert detail in result.detail


def test_error_kinds_are_strings() -> None:
    assert {k.value for k in ErrorKind} >= {
        "syntax",
        "forbidden",
        "timeout",
        "memory",
        "runtime",
        "no_answer",
        "non_numeric",
        "too_large",
    }
    assert ErrorKind("timeout") == "timeout"


def test_execute_many_keeps_order_and_runs_duplicates_once(sandbox: Sandbox) -> None:
    programs = [f"ans = {i} * 2" for i in range(300)] + ["ans = 5"] * 3 + ["import sys"]
    results = sandbox.execute_many(programs)
    assert [r.value for r in results[:300]] == [i * 2 for i in range(300)]
    assert [r.value for r in results[300:303]] == [5, 5, 5]
    assert results[-1].error_kind is ErrorKind.FORBIDDEN
    assert sandbox.execute_many([]) == []


def test_programs_do_not_see_each_other(sandbox: Sandbox) -> None:
    first, second = sandbox.execute_many(["secret = 41\nans = 1", "ans = secret + 1"])
    assert first.ok
    assert second.error_kind is ErrorKind.RUNTIME


def test_checking_in_the_parent_gives_the_same_results() -> None:
    programs = ["ans = 1 + 1", "import os", "ans = (", "x = 1", "ans = 'a'"]
    with (
        Sandbox(workers=1, timeout=1.0) as plain,
        Sandbox(workers=1, timeout=1.0, check_in_parent=True) as checked,
    ):
        assert [r.error_kind for r in plain.execute_many(programs)] == [
            r.error_kind for r in checked.execute_many(programs)
        ]


def test_non_text_program_is_a_syntax_error(sandbox: Sandbox) -> None:
    assert sandbox.execute_many([None])[0].error_kind is ErrorKind.SYNTAX  # type: ignore[list-item]


def test_bad_timeout_is_refused(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="timeout"):
        sandbox.execute("ans = 1", timeout=0)


def test_closed_sandbox_refuses_work() -> None:
    box = Sandbox(workers=1)
    assert box.execute("ans = 1").ok
    box.close()
    with pytest.raises(RuntimeError, match="closed"):
        box.execute("ans = 1")


def test_several_threads_share_one_sandbox(sandbox: Sandbox) -> None:
    failures: list[str] = []

    def work(offset: int) -> None:
        results = sandbox.execute_many([f"ans = {offset} + {i}" for i in range(200)])
        if [r.value for r in results] != [offset + i for i in range(200)]:
            failures.append(f"thread {offset}")

    threads = [threading.Thread(target=work, args=(1000 * t,)) for t in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures


def test_module_level_functions_use_a_default_pool() -> None:
    assert execute("ans = 2 + 2").value == 4
    assert [r.value for r in execute_many(["ans = 1", "ans = 2"])] == [1, 2]


def test_extract_and_measures_survive_pathological_text() -> None:
    deep = "ans = " + "+".join(["1"] * 900)
    assert extract(deep) is not None
    assert canonicalize(deep)
    assert count_steps(deep) == 899
    assert extract("(" * 5000) is None
    assert extract("Some prose. " * 20_000 + "\n```python\nans = 3\n```") == "ans = 3\n"
