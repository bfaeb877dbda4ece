"""Irrelevant-context augmentation: an unrelated statement goes in, the program still means the same."""

from __future__ import annotations

import random
import re

from student.text import Distractors

POOL = [
    "Pens cost $N1. Tom buys N2 pens. How much does Tom spend?",
    "Ann has N1 apples. Ann eats N2 apples. How many apples are left?",
    "Each box holds N1 marbles. Lea has N2 boxes. How many marbles does Lea have?",
    "Omar has N1 stamps. Omar gets N2 more stamps. How many stamps does he have?",
]


def slot_sentence(question: str, slot: str) -> str:
    return next(s for s in re.split(r"(?<=[.?])\s+", question) if re.search(rf"{slot}(?!\d)", s))


def test_inserted_statement_is_unrelated_and_the_program_follows_its_numbers() -> None:
    distractors = Distractors(POOL, rare_df=0.3)
    rng = random.Random(0)
    question, program = POOL[0], "ans = N1 * N2"
    for _ in range(30):
        q, p = distractors.insert(question, program, rng)
        sentences = re.split(r"(?<=[.?])\s+", q)
        assert len(sentences) == 4
        assert sentences[-1] == "How much does Tom spend?"  # the asking sentence stays last
        [extra] = [s for s in sentences if "Tom" not in s and "Pens" not in s]
        assert "pens" not in extra.lower()  # never about the question's own things
        first, second = re.findall(r"N\d+", p)
        assert slot_sentence(q, first).startswith("Pens cost")
        assert slot_sentence(q, second).startswith("Tom buys")
        numbers = [int(n) for n in re.findall(r"N(\d+)", q)]
        assert numbers == list(range(1, len(numbers) + 1))  # renumbered in order of appearance


def test_no_fitting_statement_leaves_the_pair_alone() -> None:
    distractors = Distractors(["Tom has N1 pens. How many pens?"], rare_df=0.5)
    pair = ("Tom buys N1 pens. Tom buys N2 more pens. How many pens?", "ans = N1 + N2")
    assert distractors.insert(*pair, random.Random(0)) == pair  # the only statement is about Tom's pens
    assert distractors.insert("How many pens?", "ans = 3", random.Random(0)) == ("How many pens?", "ans = 3")
