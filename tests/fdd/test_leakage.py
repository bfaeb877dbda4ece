"""Tests for fdd.leakage: tokens, the containment score, agreement with the naive reference, reports."""

from __future__ import annotations

import json
import random

import pytest

from fdd.datasets import Problem, load_benchmark
from fdd.leakage import LeakageIndex, Match, leakage_report, ngrams, tokenize
from tests.fixtures.data import DATA_DIR

BENCH = [
    ("b/0", "Tom has 3 apples and buys 5 more apples at the store."),
    ("b/1", "A train travels 60 miles per hour for 2 hours."),
    ("b/2", "Sara reads 12 pages of her book every day for a week."),
]


def test_tokenize_lowercases_and_normalises_numbers():
    text = "Tom's 1,250 Apples cost $3.50 and .5 more"
    assert tokenize(text) == ["tom's", "0", "apples", "cost", "0", "and", "0", "more"]
    assert tokenize(text, normalize_numbers=False) == [
        "tom's",
        "1,250",
        "apples",
        "cost",
        "3.50",
        "and",
        ".5",
        "more",
    ]


def test_ngrams_are_distinct_and_empty_for_short_input():
    assert ngrams(["a", "b", "a", "b", "a"], 2) == {("a", "b"), ("b", "a")}
    assert ngrams(["a", "b"], 3) == set()


def test_exact_copy_scores_one_and_names_the_problem():
    index = LeakageIndex(BENCH)
    assert index.best_match("A train travels 60 miles per hour for 2 hours.") == Match("b/1", 1.0)


def test_new_numbers_still_match_when_numbers_are_normalised():
    retold = "A train travels 75 miles per hour for 4 hours."
    assert LeakageIndex(BENCH).best_match(retold) == Match("b/1", 1.0)
    kept = LeakageIndex(BENCH, normalize_numbers=False).best_match(retold)
    assert kept.problem_id == "b/1"
    assert kept.score == pytest.approx(3 / 8)  # of 8 trigrams, only 3 avoid the changed numbers


def test_score_is_fraction_of_query_grams_found_in_best_question():
    # query trigrams: (sara reads 0) (reads 0 pages) (0 pages of) (pages of poems) -> 3 of 4 in b/2
    assert LeakageIndex(BENCH).best_match("Sara reads 7 pages of poems") == Match("b/2", 0.75)


def test_unrelated_or_short_questions_have_no_match():
    index = LeakageIndex(BENCH)
    assert index.best_match("Completely different words here now") == Match(None, 0.0)
    assert index.best_match("Tom has") == Match(None, 0.0)
    assert index.best_match("") == Match(None, 0.0)
    assert index.best_matches([]) == []


def test_ties_go_to_the_earliest_indexed_problem():
    index = LeakageIndex([("x/0", "one two three four"), ("x/1", "one two three five")])
    assert index.best_match("one two three six") == Match("x/0", 0.5)


def test_empty_index_matches_nothing():
    assert LeakageIndex([]).best_matches(["one two three", "four five six"]) == [Match(None, 0.0)] * 2


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_batched_index_agrees_with_naive_reference(n):
    rng = random.Random(n)
    words = [a + b for a in "abcde" for b in "xyz"] + ["7", "12", "3.5"]

    def sentence() -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(0, 14)))

    docs = [sentence() for _ in range(60)]
    index = LeakageIndex([(f"d/{i}", doc) for i, doc in enumerate(docs)], n=n)
    queries = [sentence() for _ in range(280)] + docs[:20]  # more than one batch of 256
    fast = index.best_matches(queries)
    assert fast == [index.naive_best_match(q) for q in queries]
    assert any(m.score == 1.0 for m in fast)
    assert any(0 < m.score < 1 for m in fast)


@pytest.mark.skipif(not (DATA_DIR / "svamp").is_dir(), reason=f"no benchmark data at {DATA_DIR}")
def test_real_benchmark_questions_find_themselves():
    svamp, multiarith = load_benchmark("svamp", DATA_DIR), load_benchmark("multiarith", DATA_DIR)
    index = LeakageIndex.from_benchmarks([svamp, multiarith])
    assert len(index) == 1600
    probes = [multiarith.problems[i] for i in (0, 123, 599)]
    assert [m.score for m in index.best_matches(p.question for p in probes)] == [1.0, 1.0, 1.0]
    assert index.best_match(probes[1].question).problem_id.startswith("multiarith/")
    sample = [p.question for p in load_benchmark("gsm8k", DATA_DIR).problems[:40]]
    assert index.best_matches(sample) == [index.naive_best_match(q) for q in sample]


def test_report_summarises_the_score_distribution():
    matches = [Match(f"b/{i}", s) for i, s in enumerate([0.0, 0.05, 0.15, 0.5, 0.55, 0.95, 1.0])]
    report = leakage_report(matches, threshold=0.5, bins=4)
    assert report.count == 7
    assert report.above == 4
    assert report.share_above == pytest.approx(4 / 7)
    assert [bucket[2] for bucket in report.histogram] == [3, 0, 2, 2]
    assert report.histogram[-1][:2] == (0.75, 1.0)
    assert report.quantiles[0.5] == 0.5
    assert report.quantiles[1.0] == 1.0
    assert report.top[:2] == [(6, "b/6", 1.0), (5, "b/5", 0.95)]
    json.dumps(report.to_dict())
    assert "4 (57.1%) at or above 0.5" in report.format()


def test_index_report_and_empty_report():
    index = LeakageIndex.from_problems([Problem(i, q, 1, "t") for i, q in BENCH])
    report = index.report([BENCH[0][1], "nothing alike at all"], threshold=0.9)
    assert (report.count, report.above, report.top[0][1]) == (2, 1, "b/0")
    empty = leakage_report([])
    assert (empty.count, empty.above, empty.share_above, empty.mean) == (0, 0, 0.0, 0.0)
    with pytest.raises(ValueError, match="bins"):
        leakage_report([], bins=0)
    with pytest.raises(ValueError, match="n must be"):
        LeakageIndex(BENCH, n=0)
