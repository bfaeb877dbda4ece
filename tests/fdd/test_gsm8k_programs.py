"""Tests for fdd.gsm8k_programs: annotation-to-program conversion, its failure reasons, and reports."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fdd.datasets import Problem, gsm8k_gold, load_gsm8k
from fdd.gsm8k_programs import ConversionError, convert, convert_dataset, convert_or_raise
from fdd.programs import execute_many
from tests.fixtures.data import DATA_DIR

needs_data = pytest.mark.skipif(not (DATA_DIR / "gsm8k").is_dir(), reason=f"no benchmark data at {DATA_DIR}")

JANET = (
    "Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 duck eggs a day.\n"
    "She makes 9 * 2 = $<<9*2=18>>18 every day at the farmer’s market.\n"
    "#### 18"
)


def test_annotations_become_named_assignments_chained_by_value():
    assert convert(JANET) == "duck_eggs = 16 - 3 - 4\nv2 = duck_eggs * 2\nans = v2\n"


def test_converted_program_runs_to_the_gold_answer_in_the_sandbox():
    [result] = execute_many([convert(JANET)], timeout=5.0)
    assert result.ok
    assert result.value == 18


def test_unannotated_final_step_in_prose_is_used():
    solution = (
        "Noah is 2 * 6 = <<2*6=12>>12 years old.\nIn 10 years he will be 12 + 10 = 22 years old.\n#### 22"
    )
    assert convert(solution) == "years_old = 2 * 6\nyears_old_2 = years_old + 10\nans = years_old_2\n"


def test_unicode_operators_dollars_and_percent_in_prose():
    solution = "Cost is 2 × $2 = $<<2*2=4>>4 each.\nShe has $50 − $4 = $46 left.\n#### 46"
    assert convert(solution) == "v1 = 2 * 2\nv2 = 50 - v1\nans = v2\n"


def test_literal_is_rewritten_once_per_expression_and_not_for_its_own_numbers():
    squared = "He needs <<60/15=4>>4 cartons at $4 each: <<4*4=16>>16 dollars.\n#### 16"
    assert convert(squared) == "cartons = 60 / 15\ndollars = cartons * 4\nans = dollars\n"
    identity = "<<180*1=180>>180 cups first, then <<365-180=185>>185 days.\n#### 185"
    assert convert(identity).splitlines()[1] == "days = 365 - 180"


def test_answer_is_the_last_step_equal_to_gold_and_later_steps_are_dropped():
    solution = "<<3+4=7>>7 apples, <<7*2=14>>14 pears, check <<14-7=7>>7 plums, <<7+1=8>>8 extra.\n#### 7"
    program = convert(solution)
    assert program.splitlines()[-1] == "ans = plums"
    assert "extra" not in program


def test_names_avoid_builtins_and_repeat_with_suffixes():
    program = convert("<<1+2=3>>3 sum and <<3+3=6>>6 sum and <<6+1=7>>7 sum.\n#### 7")
    assert program.splitlines()[:3] == ["sum_1 = 1 + 2", "sum_2 = sum_1 + 3", "sum_3 = sum_2 + 1"]


def test_leading_zeros_and_decimals_parse():
    assert convert("<<05*.5=2.5>>2.5 kg\n#### 2.5") == "kg = 5 * 0.5\nans = kg\n"


@pytest.mark.parametrize(
    ("solution", "reason"),
    [
        ("Let x be the price. Then x = 26.\n#### 26", "no_annotations"),
        ("<<2+2=4>>4 apples", "no_gold_answer"),
        ("<<2+2=4>>4 apples\n#### 5", "no_step_equals_gold"),
        ("<<2+*2=4>>4 apples\n#### 4", "unparseable_expression"),
        ("<<2/0=0>>0 apples\n#### 0", "evaluation_error"),
        ("<<10**100000=1>>1 apples\n#### 1", "unsafe_expression"),
        ("<<1e300*1e300=1>>1 apples\n#### 1", "unsafe_expression"),
        ("<<(-8)**(1/3)=2>>2 apples\n#### 2", "unsafe_expression"),
        ("<<max(2,3)=3>>3 apples\n#### 3", "unsupported_expression"),
    ],
)
def test_failures_carry_a_reason(solution, reason):
    assert convert(solution) is None
    with pytest.raises(ConversionError) as info:
        convert_or_raise(solution)
    assert info.value.reason == reason


def test_convert_dataset_counts_shares_and_reasons_without_sandbox():
    problems = [
        Problem("p/0", "q", 18, "gsm8k", {"solution": JANET}),
        Problem("p/1", "q", 26, "gsm8k", {"solution": "x = 26\n#### 26"}),
        Problem("p/2", "q", 3, "gsm8k"),
    ]
    report = convert_dataset(problems, verify=False)
    assert (report.total, report.converted, report.share) == (3, 1, pytest.approx(1 / 3))
    assert report.programs["p/0"].endswith("ans = v2\n")
    assert report.failed_ids == {"p/1": "no_annotations", "p/2": "no_solution"}
    assert report.failures == {"no_annotations": 1, "no_solution": 1}
    assert "1/3 converted (33.33%)" in report.summary()


def test_sandbox_verification_rejects_program_whose_answer_differs_from_gold():
    problems = [
        Problem("ok", "q", 18, "gsm8k", {"solution": JANET}),
        Problem("wrong-gold", "q", 19, "gsm8k", {"solution": JANET}),
    ]
    report = convert_dataset(problems)
    assert list(report.programs) == ["ok"]
    assert report.failed_ids == {"wrong-gold": "executed_answer_mismatch"}


@needs_data
def test_real_gsm8k_test_converts_above_ninety_five_percent():
    report = convert_dataset(load_gsm8k(DATA_DIR, "test"), verify=False)
    assert report.total == 1319
    assert report.share > 0.95
    assert set(report.failures) <= {"no_annotations", "no_step_equals_gold"}


@needs_data
def test_real_gsm8k_programs_execute_to_gold_in_sandbox():
    problems = load_gsm8k(DATA_DIR, "train").problems[:80]
    report = convert_dataset(problems)
    assert report.converted >= 72
    assert not [reason for reason in report.failures.elements() if reason.startswith("execution")]


def _run(program: str) -> float:
    namespace: dict = {}
    exec(program, {"__builtins__": {}}, namespace)  # the program is arithmetic assignments only
    return namespace["ans"]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="<>=0123456789+-*/^().,#% \n$x×abce", max_size=120))
def test_convert_never_raises_on_arbitrary_text(text):
    program = convert(text)
    if program is not None:
        assert _run(program) == pytest.approx(gsm8k_gold(text), rel=1e-6, abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 500), st.sampled_from("+-*/"), st.integers(1, 50), st.booleans()),
        min_size=1,
        max_size=6,
    )
)
def test_chained_integer_annotations_convert_to_the_gold_answer(steps):
    lines, previous = [], None
    for left, op, right, chain in steps:
        left = previous if chain and previous is not None else left  # reuse the last result
        if op == "/":
            left = left * right  # keep every result a whole number, as GSM8K mostly does
        value = {"+": left + right, "-": left - right, "*": left * right, "/": left // right}[op]
        lines.append(f"So {left} {op} {right} = <<{left}{op}{right}={value}>>{value} apples.")
        previous = value
    program = convert("\n".join(lines) + f"\n#### {previous}")
    assert program is not None
    assert _run(program) == previous
    assert program.count("\n") <= len(steps) + 1
