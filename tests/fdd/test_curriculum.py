"""fdd.curriculum generation: programs that run to the gold answer, exact step counts, sound numbers."""

from __future__ import annotations

import ast
import random
import re
from collections import Counter

import pytest

from fdd.curriculum import LIMIT, MAX_STEPS, generate, parse, problem_for_seed
from fdd.curriculum.grammar import stmt
from fdd.curriculum.parse import read_statements
from fdd.curriculum.semantics import Inconsistent, solve
from fdd.programs import execute_many

SEEDS = range(1000)


@pytest.fixture(scope="module")
def problems():
    return [generate(random.Random(seed), 1 + seed % MAX_STEPS) for seed in SEEDS]


@pytest.fixture(scope="module")
def parsed(problems):
    return [parse(p.text) for p in problems]


def _intermediates(program: str) -> list[int]:
    namespace: dict = {}
    exec(compile(program, "<curriculum>", "exec"), {"__builtins__": {}}, namespace)  # our own programs
    return [v for k, v in namespace.items() if k != "ans"]


def test_parsed_programs_run_in_the_sandbox_to_the_gold_answer(problems, parsed) -> None:
    results = execute_many([q.program for q in parsed])
    wrong = [
        (p.text, r) for p, r in zip(problems, results, strict=True) if not (r.ok and r.value == p.answer)
    ]
    assert wrong == []


def test_parse_recovers_exactly_the_generated_program(problems, parsed) -> None:
    mismatches = [p.text for p, q in zip(problems, parsed, strict=True) if q.program != p.program]
    assert mismatches == []


def test_step_count_is_exact_and_matches_the_program(problems) -> None:
    for seed, p in zip(SEEDS, problems, strict=True):
        assert p.steps == 1 + seed % MAX_STEPS
        body = p.program.splitlines()[:-1]
        computed = [line for line in body if not re.fullmatch(r"\w+ = \d+", line)]
        assert len(computed) == p.steps == len(p.ops)
        assert p.program.splitlines()[-1].startswith("ans = ")


def test_every_intermediate_is_a_moderate_non_negative_integer(problems) -> None:
    for p in problems:
        values = _intermediates(p.program)
        assert all(isinstance(v, int) and 0 <= v <= LIMIT for v in values), p.program


def test_every_number_in_the_program_is_written_in_the_text_or_a_small_constant(problems) -> None:
    for p in problems:
        in_text = set(re.findall(r"\d+", p.text))
        tree = ast.parse(p.program)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, int):
                assert str(node.value) in in_text or node.value in (2, 3, 4, 100), (node.value, p.text)


def test_program_lines_follow_the_order_numbers_appear_in_the_text(problems) -> None:
    for p in problems:
        literals = re.findall(r"^\w+ = (\d+)$", p.program, flags=re.MULTILINE)
        text_numbers = re.findall(r"\d+", p.text)
        positions, start = [], 0
        for number in literals:  # each literal is found at or after the previous one's position
            position = text_numbers.index(number, start) if number in text_numbers[start:] else -1
            positions.append(position)
            start = max(start, position + 1) if position >= 0 else start
        assert -1 not in positions, (p.text, p.program)


def test_same_seed_same_problem_and_different_seeds_differ() -> None:
    assert problem_for_seed(7, 3) == problem_for_seed(7, 3)
    texts = {problem_for_seed(seed, 2).text for seed in range(200)}
    assert len(texts) == 200


def test_all_operations_and_question_kinds_occur(problems) -> None:
    ops = Counter(op for p in problems for op in p.ops)
    assert set(ops) >= {
        "add",
        "subtract",
        "multiply",
        "divide",
        "percent",
        "fraction",
        "rate",
        "price",
        "compare",
    }
    questions = Counter(p.question.kind for p in problems)
    assert set(questions) == {
        "q_has",
        "q_total",
        "q_diff",
        "q_lost",
        "q_spent",
        "q_done",
        "q_each",
        "q_packed",
    }


def test_some_problems_carry_distractor_facts(problems) -> None:
    def literals(p):
        return len(re.findall(r"^\w+ = \d+$", p.program, flags=re.MULTILINE))

    with_unused = [p for p in problems if len(re.findall(r"\d+", p.text)) > literals(p)]
    assert 0.15 < len(with_unused) / len(problems) < 0.6


def test_bad_step_count_is_refused() -> None:
    with pytest.raises(ValueError, match="between 1 and"):
        generate(random.Random(0), MAX_STEPS + 1)


@pytest.mark.parametrize(
    ("statements", "reason"),
    [
        (
            [
                stmt("have", P="Mia", item="apples", n=5),
                stmt("lose", P="Mia", item="apples", n=9, verb="eats"),
            ],
            "negative",
        ),
        (
            [
                stmt("have", P="Mia", item="apples", n=7),
                stmt("share", P="Mia", item="apples", n=2, recip="friend"),
            ],
            "not divisible",
        ),
        ([stmt("lose", P="Mia", item="apples", n=1, verb="eats")], "nothing is known"),
        (
            [
                stmt("have", P="Mia", item="apples", n=9000),
                stmt("compare", S="Leo", O="Mia", item="apples", rel="twice", n=None),
            ],
            "exceed",
        ),
    ],
)
def test_ill_formed_statements_are_inconsistent(statements, reason) -> None:
    with pytest.raises(Inconsistent, match=reason):
        solve(statements, stmt("q_has", P="Mia", item="apples"))


def test_pronouns_only_stand_for_the_previous_subject(problems) -> None:
    pronoun = re.compile(r"(?:Then |Later, |After that, |The next day, )?(?:He|She|he|she) ")
    used = 0
    for p in problems:
        statements, question = read_statements(p.text)
        facts = [*statements, question]
        sentences = re.split(r"(?<=[.?]) ", p.text)
        for i in range(1, len(sentences)):
            if pronoun.match(sentences[i]):
                used += 1
                assert facts[i - 1].persons()[:1] == facts[i].persons()[:1], p.text
    assert used > len(problems) // 2
