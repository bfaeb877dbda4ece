"""Variable-name normalisation of training programs: same computation, names v1, v2 … in order."""

from __future__ import annotations

import pytest

from fdd.programs import execute_many
from student.names import normalize_names
from student.training.config import TrainExample
from student.training.data import masked_pairs


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


def test_rationales_differing_only_in_names_become_one_example() -> None:
    question = "Tom has 5 apples and 7 pears. How many fruits?"
    examples = [
        TrainExample("a", question, "apples = 5\npears = 7\nans = apples + pears"),
        TrainExample("a", question, "a = 5\np = 7\nans = a + p"),
        TrainExample("a", question, "pears = 7\napples = 5\nans = pears + apples"),
    ]
    pairs = masked_pairs(examples, mask_numbers=True, normalize=True)
    assert pairs == [
        ("Tom has N1 apples and N2 pears. How many fruits?", "v1 = N1\nv2 = N2\nans = v1 + v2"),
        ("Tom has N1 apples and N2 pears. How many fruits?", "v1 = N2\nv2 = N1\nans = v1 + v2"),
    ]
