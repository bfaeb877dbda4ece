"""fdd.curriculum variants: complexify adds steps to the same situation, similar keeps the skeleton."""

from __future__ import annotations

import random

import pytest

from fdd.curriculum import MAX_STEPS, complexify, generate, parse, similar
from fdd.programs import count_steps, execute_many

SEEDS = range(400)


@pytest.fixture(scope="module")
def pairs():
    made = []
    for seed in SEEDS:
        rng = random.Random(seed)
        original = generate(rng, 1 + seed % MAX_STEPS)
        made.append((original, complexify(original, rng), similar(original, rng)))
    return made


def _people(problem) -> set[str]:
    return {p for s in problem.statements for p in s.persons()}


def test_complexify_adds_steps_and_its_answer_matches_its_program(pairs) -> None:
    harder = [h for _, h, _ in pairs]
    results = execute_many([h.program for h in harder])
    for (original, h, _), result in zip(pairs, results, strict=True):
        assert h.steps > original.steps
        assert (result.ok, result.value) == (True, h.answer)
        assert parse(h.text).answer == h.answer


def test_complexify_keeps_the_situation(pairs) -> None:
    for original, harder, _ in pairs:
        assert _people(original) <= _people(harder)
        assert {s.args.get("item") for s in original.statements} <= {
            s.args.get("item") for s in harder.statements
        }


def test_similar_keeps_step_count_and_skeleton_but_changes_the_surface(pairs) -> None:
    results = execute_many([s.program for _, _, s in pairs])
    for (original, _, other), result in zip(pairs, results, strict=True):
        assert other.steps == original.steps
        assert count_steps(other.program) == count_steps(original.program)  # the teacher's own measure
        assert [s.kind for s in other.statements] == [s.kind for s in original.statements]
        assert other.question.kind == original.question.kind
        assert other.text != original.text
        assert not (_people(other) & _people(original))
        assert (result.ok, result.value) == (True, other.answer)


def test_variants_work_from_text_alone() -> None:
    rng = random.Random(5)
    original = generate(rng, 3)
    read_back = parse(original.text)
    assert complexify(read_back, rng).steps > 3
    assert similar(read_back, rng).steps == 3


def test_variants_are_deterministic_under_a_seed() -> None:
    original = generate(random.Random(11), 2)
    assert complexify(original, random.Random(1)) == complexify(original, random.Random(1))
    assert similar(original, random.Random(1)) == similar(original, random.Random(1))
