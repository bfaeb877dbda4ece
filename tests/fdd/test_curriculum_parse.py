"""fdd.curriculum.parse: reads curriculum text exactly and declines everything else with a reason."""

from __future__ import annotations

import json
import random

import pytest

from fdd.curriculum import Declined, generate, parse
from tests.fixtures.data import DATA_DIR

GSM8K_TEST = DATA_DIR / "gsm8k" / "test.jsonl"


def test_reads_a_hand_written_problem() -> None:
    text = (
        "Mia has 24 apples. She picks 6 more apples. Leo has twice as many apples as Mia. "
        "Each box holds 5 apples. Leo buys 3 boxes of apples. How many apples do Leo and Mia have altogether?"
    )
    problem = parse(text)
    assert problem.answer == (24 + 6) + (24 + 6) * 2 + 3 * 5
    assert problem.steps == 5
    assert problem.ops == ("add", "compare", "multiply", "add", "add")


def test_pronoun_means_the_last_person_of_that_gender() -> None:
    text = "Mia has 10 pears. Leo has 4 pears. She eats 3 of her pears. How many pears does Mia have now?"
    assert parse(text).answer == 7
    wrong_gender = "Leo has 10 pears. She eats 3 of her pears. How many pears does Leo have now?"
    with pytest.raises(Declined, match="pronoun"):
        parse(wrong_gender)


def test_distractor_facts_are_read_and_left_out_of_the_program() -> None:
    text = "Ava has 12 stamps. Ben has 30 marbles. Ava loses 5 stamps. How many stamps does Ava have left?"
    problem = parse(text)
    assert problem.answer == 7
    assert "30" not in problem.program


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Mia has 12 apples.", "question"),
        (
            "Mia has 12 apples. Mia juggles the apples. How many apples does Mia have?",
            "cannot read sentence 2",
        ),
        ("Zorblax has 12 apples. How many apples does Zorblax have?", "cannot read sentence 1"),
        ("Mia has 5 apples. Mia eats 9 apples. How many apples does Mia have now?", "negative"),
        (
            "Mia has 7 apples. Mia shares her apples equally among 2 friends. "
            "How many apples does each friend get?",
            "not divisible",
        ),
        ("Mia has 7 apples. How many apples does Leo have?", "nothing is known"),
        (
            "Carlos has 2 packs with 8 stickers in each. He has 3 packs with 5 stickers in each. "
            "How many stickers does Carlos have?",
            "stated twice",
        ),
        ("Pears cost $3 each. Mia buys 4 pears for $5 each. How much does Mia spend?", "stated twice"),
        (
            "How many apples does Mia have? Mia has 7 apples. How many apples does Mia have?",
            "sentence 1 is a question",
        ),
    ],
)
def test_declines_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(Declined, match=reason) as caught:
        parse(text)
    assert caught.value.reason


def test_gsm8k_questions_are_declined_not_guessed() -> None:
    rows = [json.loads(line) for line in GSM8K_TEST.read_text().splitlines()]
    accepted = []
    for row in rows:
        try:
            problem = parse(row["question"])
        except Declined:
            continue
        accepted.append((problem.answer, row["answer"].split("####")[-1].strip().replace(",", "")))
    assert len(accepted) <= len(rows) // 100
    assert all(str(mine) == gold for mine, gold in accepted)


def test_whitespace_and_line_breaks_do_not_matter() -> None:
    problem = generate(random.Random(3), 2)
    assert parse(problem.text.replace(". ", ".\n  ")).answer == problem.answer
