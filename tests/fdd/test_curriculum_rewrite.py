"""fdd.curriculum.rewrite: paraphrases keep the answer, corruptions change it, both stay programs."""

from __future__ import annotations

import hashlib
import random

import pytest

from fdd.curriculum import generate
from fdd.curriculum.rewrite import corrupt, paraphrase


def _run(program: str) -> int:
    namespace: dict = {}
    exec(compile(program, "<rewrite>", "exec"), {"__builtins__": {}}, namespace)  # our own programs only
    return namespace["ans"]


@pytest.fixture(scope="module")
def problems():
    return [generate(random.Random(seed), 1 + seed % 8) for seed in range(150)]


def test_paraphrases_are_equivalent_and_varied(problems) -> None:
    distinct = 0
    for i, problem in enumerate(problems):
        versions = {paraphrase(problem.program, random.Random(f"{i}/{j}")) for j in range(4)}
        assert {_run(v) for v in versions} == {problem.answer}
        assert all(v.splitlines()[-1].startswith("ans = ") for v in versions)
        distinct += len(versions) > 1
    assert distinct / len(problems) > 0.9


def test_paraphrases_stay_what_they_were(problems) -> None:
    """The synthetic teacher's completions are a function of the seed: experiments and caches depend on it,
    so a faster rewrite must write the very same programs (digest taken before the copy-free ``_replace``)."""
    text = "\n\n".join(paraphrase(p.program, random.Random(f"{i}/golden")) for i, p in enumerate(problems))
    assert hashlib.sha256(text.encode()).hexdigest()[:16] == "7961b160dd4def50"


def test_corruptions_mostly_change_the_answer(problems) -> None:
    changed = 0
    for i, problem in enumerate(problems):
        wrong = corrupt(problem.program, random.Random(i))
        try:
            changed += _run(wrong) != problem.answer
        except ZeroDivisionError:  # a swapped operation may divide by zero: the sandbox reports it
            changed += 1
    assert changed / len(problems) > 0.85


def test_only_straight_line_programs_are_rewritten() -> None:
    with pytest.raises(ValueError, match="straight-line"):
        paraphrase("for i in range(3):\n    x = i\nans = x", random.Random(0))
    with pytest.raises(ValueError, match="ans"):
        paraphrase("x = 1", random.Random(0))
