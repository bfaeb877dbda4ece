"""fdd.answers: reading numbers out of answers, and the tolerance of answer equality."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fdd.answers import answers_equal, parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("72", 72),
        ("1,080", 1080),
        ("#### 1,234,567", 1234567),
        ("$29.00", 29.0),
        ("It costs $1,000.50 in total.", 1000.5),
        ("25%", 25),
        ("12.5 %", 12.5),
        ("3/4", Fraction(3, 4)),
        ("12/4", 3),
        ("It took 1 1/2 hours", Fraction(3, 2)),
        (r"\boxed{\frac{3}{4}}", Fraction(3, 4)),
        ("-5", -5),
        ("\u221212", -12),
        ("-$5.50", -5.5),
        ("$-5.50", -5.5),
        ("The answer is 72.", 72),
        ("She had 3 boxes of 12 eggs, so 36 eggs. The answer is 36", 36),
        ("pages 3-4", 4),
        ("1e5", 100000.0),
        (".5", 0.5),
        ("0.25", 0.25),
    ],
)
def test_parse_number_reads_the_last_number(text: str, expected: object) -> None:
    value = parse_number(text)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize("text", ["", "no number here", "10/0", None, True, float("nan"), [1]])
def test_parse_number_gives_none_without_a_number(text: object) -> None:
    assert parse_number(text) is None


def test_percent_is_the_number_as_written_not_a_fraction_of_one() -> None:
    assert parse_number("25%") == 25
    assert answers_equal("25%", 25)
    assert not answers_equal("25%", 0.25)


@pytest.mark.parametrize(
    ("a", "b"),
    [(72, 72.0), (0.1 + 0.2, 0.3), ("1,080", 1080), ("$29.00", 29), (Fraction(1, 3), 1 / 3), ("3/4", 0.75)],
)
def test_equal_answers(a: object, b: object) -> None:
    assert answers_equal(a, b)
    assert answers_equal(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (72.4, 72),
        (72, 73),
        (0.5, 0.51),
        (None, 1),
        ("no answer", 0),
        (True, 1),
        (10**400, 1e300),
        (1, float("nan")),
    ],
)
def test_unequal_answers(a: object, b: object) -> None:
    assert not answers_equal(a, b)
    assert not answers_equal(b, a)


def test_tolerance_is_explicit() -> None:
    assert answers_equal(1_000_000, 1_000_000.5)  # within rel_tol 1e-6
    assert not answers_equal(1_000_000, 1_000_002)
    assert answers_equal(1_000_000, 1_000_002.0, rel_tol=1e-5)
    assert not answers_equal(0.0, 2e-6)  # beyond abs_tol 1e-6
    assert not answers_equal(Fraction(1, 3), Fraction(333_333, 1_000_000))  # exact types compare exactly


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_integers_formatted_with_commas_and_currency_parse_back(n: int) -> None:
    sign = "-" if n < 0 else ""
    assert parse_number(f"{n:,}") == n
    assert parse_number(f"{sign}${abs(n):,}") == n
    assert parse_number(f"The answer is {n:,}.") == n


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_decimals_formatted_with_commas_parse_back(x: float) -> None:
    assert answers_equal(parse_number(f"${x:,.2f}"), round(x, 2))
    assert answers_equal(parse_number(repr(x)), x)


@given(st.integers(min_value=-1000, max_value=1000), st.integers(min_value=1, max_value=1000))
def test_fractions_parse_back(num: int, den: int) -> None:
    assert parse_number(f"{num}/{den}") == Fraction(num, den)


numbers = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
    st.fractions(max_denominator=1000),
)


@given(numbers)
def test_equality_is_reflexive(a: object) -> None:
    assert answers_equal(a, a)


@given(numbers, numbers)
def test_equality_is_symmetric(a: object, b: object) -> None:
    assert answers_equal(a, b) == answers_equal(b, a)
