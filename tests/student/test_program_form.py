"""The student's program normal form: names v1, v2 … in order, constants inlined; same computation."""

from __future__ import annotations

import pytest

from fdd.programs import execute_many
from student.text.program_form import compact_program, normalize_names, student_form


def test_assigned_names_become_numbered_in_order() -> None:
    program = "rosa_cost = 7 * 20\njack_cost = 22 * 7\nspent = rosa_cost + jack_cost\nans = spent"
    assert normalize_names(program) == "v1 = 7 * 20\nv2 = 22 * 7\nv3 = v1 + v2\nans = v3"


def test_builtins_modules_and_existing_v_names_are_left_alone() -> None:
    program = "import math\nx = math.sqrt(16) + abs(-v1)\nans = round(x)"
    out = normalize_names(program)
    assert "math.sqrt" in out
    assert "abs(-v1)" in out
    assert "round(v2)" in out
    assert out.splitlines()[1].startswith("v2 = ")  # v1 is read but never assigned: not reused


@pytest.mark.parametrize(
    "program",
    ["def solution():\n    a = 1\n    return a\nans = solution()", "ans = (lambda q: q + 1)(2)", "x = = 2"],
)
def test_programs_with_scopes_or_bad_syntax_are_unchanged(program: str) -> None:
    assert normalize_names(program) == program


def test_normalised_programs_compute_the_same() -> None:
    programs = [
        "apples = 12\ngiven = 5\nleft = apples - given\nans = left",
        "total = 0\nfor day in range(3):\n    total += day * 2\nans = total",
        "price = 20\nitems = [price * k for k in range(4)]\nans = sum(items)",
    ]
    before = execute_many(programs)
    after = execute_many([normalize_names(p) for p in programs])
    assert [r.value for r in before] == [r.value for r in after]
    assert all(r.ok for r in after)


def test_constants_are_inlined_and_the_answer_folded() -> None:
    program = "price = 10\napples = 3\ncost = apples * price\ntax = 2\ntotal = cost + tax\nans = total"
    assert compact_program(program) == "cost = 3 * 10\nans = cost + 2"
    assert normalize_names(compact_program(program)) == "v1 = 3 * 10\nans = v1 + 2"


@pytest.mark.parametrize(
    "program",
    [
        "total = 0\nfor day in range(3):\n    total += day * 2\nans = total",  # a loop
        "a = 4\na = a * 2\nans = a",  # a name bound twice
        "x = 5\ny = x\nx += 1\nans = y",  # aug-assign
        "def solution():\n    return 3\nans = solution()",
        "x = = 2",
    ],
)
def test_programs_that_are_not_straight_line_are_unchanged(program: str) -> None:
    assert compact_program(program) == program


def test_answer_used_twice_or_computed_earlier_is_not_folded() -> None:
    twice = "a = 3 * 4\nb = a + a\nans = b"
    assert compact_program(twice) == "a = 3 * 4\nans = a + a"
    early = "a = 3 * 4\nb = 5 - 1\nans = a"
    assert compact_program(early) == early
    literal = "ans = 7"
    assert compact_program(literal) == literal


def test_compact_programs_compute_the_same_on_the_curriculum() -> None:
    from fdd.curriculum import seed_problems

    programs = [p.program for p in seed_problems(300, seed=3)]
    compact = [normalize_names(compact_program(p)) for p in programs]
    before, after = execute_many(programs), execute_many(compact)
    assert all(r.ok for r in after)
    assert [r.value for r in before] == [r.value for r in after]
    assert sum(map(len, compact)) < 0.7 * sum(map(len, programs))  # the point: much shorter targets


@pytest.mark.parametrize(
    "program",
    [
        "price = 10\napples = 3\ncost = apples * price\ntax = 2\ntotal = cost + tax\nans = total",
        "a = 3\nb = 4",  # nothing but constants: compaction keeps it, the names are still numbered
        "v1 = 3\nx = v1 * 2\nans = x",  # a name v1 taken by the program itself
        "n = N1\nm = n * N2\nans = m",  # masked slots are free names, inlined and never renamed
        "total = 0\nfor d in range(3):\n    total += d\nans = total",
        "def solution():\n    a = 1\n    return a\nans = solution()",
        "a = 2\nb = [a * k for k in range(3)]\nans = sum(b)",
        "x = = 2",
        "# a comment only",  # an empty module: its numbered form is written out as ""
    ],
)
def test_the_one_pass_form_is_the_two_transforms_in_turn(program: str) -> None:
    assert student_form(program, compact=True, normalize=True) == normalize_names(compact_program(program))
    assert student_form(program, compact=True, normalize=False) == compact_program(program)
    assert student_form(program, compact=False, normalize=True) == normalize_names(program)
    assert student_form(program, compact=False, normalize=False) == program


def test_a_program_of_comments_only_numbers_to_nothing_as_before() -> None:
    assert normalize_names("# c") == ""
    assert student_form("# c", compact=True, normalize=True) == ""
    assert compact_program("# c") == "# c"


def test_the_one_pass_form_on_the_curriculum_is_the_two_transforms_in_turn() -> None:
    from fdd.curriculum import seed_problems

    for problem in seed_problems(300, seed=4):
        two = normalize_names(compact_program(problem.program))
        assert student_form(problem.program, compact=True, normalize=True) == two
