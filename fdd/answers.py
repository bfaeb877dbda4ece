"""Numeric answers: reading a number out of text, and deciding whether two answers are equal.

`parse_number` reads the final number of a gold answer, a model's prose or a program's output:
thousands separators (`1,080`), currency (`$29.00`), percent, fractions (`3/4`, `1 1/2`, LaTeX
`\\frac{3}{4}`), negatives (`-5`, `−5`, `-$5`), decimals and scientific notation; in prose the LAST
number wins ("… so 3 boxes. The answer is 72." → 72). Percent keeps the number as written:
"25%" → 25, never 0.25, because GSM8K writes percentage answers as plain numbers ("#### 25").
Types say how the number was written: digits → int, a decimal point or exponent → float,
a fraction → Fraction (whole fractions become int).

`answers_equal` compares with an explicit tolerance: exact for int/Fraction pairs, otherwise
`math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6)` — so 72 == 72.0 and 0.1 + 0.2 == 0.3, but 72.4 != 72
(nothing is rounded to an integer first). NaN equals nothing; booleans are not numbers.
Executing programs is `fdd.programs`' job.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

Number = int | float | Fraction

_MINUS = "\u2212\u2013\u2014"  # minus sign, en dash, em dash as written by models
_LATEX_FRAC = re.compile(r"\\[dt]?frac\s*\{\s*(-?[\d.,]+)\s*\}\s*\{\s*(-?[\d.,]+)\s*\}")
_NUMBER = re.compile(
    r"""
    (?<![\w.])                                   # not inside a word or after a dot
    (?P<sign>-)?\s*(?:[$€£¥₹]\s*)?(?P<sign2>-)?   # sign and currency in either order
    (?:
        (?P<whole>\d+)\s+(?P<num>\d+)\s*/\s*(?P<den>\d+)             # mixed number 1 1/2
      | (?P<fnum>\d+)\s*/\s*(?P<fden>\d+)                             # fraction 3/4
      | (?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?(?P<exp>[eE][-+]?\d+)?  # 1,080.50 / 72 / 1e5
      | (?P<bare>\.\d+)                                               # .5
    )
    (?![\d/])
    """,
    re.VERBOSE,
)


def parse_number(text: object) -> Number | None:
    """The last number written in `text` (see the module doc for the forms read); None if there is none.

    Numbers pass through (int, float, Fraction; NaN and bool give None).
    """
    if isinstance(text, bool) or text is None:
        return None
    if isinstance(text, int | Fraction):
        return text
    if isinstance(text, float):
        return None if math.isnan(text) else text
    if not isinstance(text, str):
        return None
    cleaned = _LATEX_FRAC.sub(r"\1/\2", text)
    for dash in _MINUS:
        cleaned = cleaned.replace(dash, "-")
    matches = list(_NUMBER.finditer(cleaned))
    for match in reversed(matches):
        value = _value(match)
        if value is not None:
            return value
    return None


def _value(match: re.Match[str]) -> Number | None:
    negative = bool(match.group("sign") or match.group("sign2"))
    value: Number
    if match.group("den") is not None:
        if int(match.group("den")) == 0:
            return None
        value = int(match.group("whole")) + Fraction(int(match.group("num")), int(match.group("den")))
    elif match.group("fden") is not None:
        if int(match.group("fden")) == 0:
            return None
        value = Fraction(int(match.group("fnum")), int(match.group("fden")))
    elif match.group("bare") is not None:
        value = float(match.group("bare"))
    else:
        digits = match.group("int").replace(",", "")
        if match.group("frac") or match.group("exp"):
            value = float(digits + (match.group("frac") or "") + (match.group("exp") or ""))
        else:
            value = int(digits)
    if isinstance(value, Fraction) and value.denominator == 1:
        value = value.numerator
    return -value if negative else value


def answers_equal(a: object, b: object, *, rel_tol: float = 1e-6, abs_tol: float = 1e-6) -> bool:
    """Whether two answers are the same number (strings are read with `parse_number` first).

    Exact when both are int or Fraction; otherwise `math.isclose(a, b, rel_tol, abs_tol)`: equal when
    |a - b| <= max(rel_tol * max(|a|, |b|), abs_tol). Symmetric; reflexive for every number but NaN.
    A missing or unreadable answer equals nothing.
    """
    x, y = parse_number(a), parse_number(b)
    if x is None or y is None:
        return False
    if isinstance(x, int | Fraction) and isinstance(y, int | Fraction):
        return x == y
    try:
        return math.isclose(float(x), float(y), rel_tol=rel_tol, abs_tol=abs_tol)
    except OverflowError:  # an int or Fraction beyond float range can be close to no float
        return False
