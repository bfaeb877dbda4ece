"""Tests for fdd.leakage: tokens, the containment score, agreement with the naive reference, reports,
the content signal and the combined verdict (recall on paraphrases, false positives on unrelated problems)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from fdd.curriculum import problem_for_seed
from fdd.datasets import Problem, load_benchmark
from fdd.leakage import (
    CONTENT_THRESHOLD,
    ContentIndex,
    LeakageIndex,
    Lookalike,
    LookalikeIndex,
    Match,
    content_features,
    leakage_report,
    ngrams,
    tokenize,
)
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


def test_content_features_keep_numbers_as_a_multiset_and_drop_function_words():
    features = content_features("Tom buys three boxes of 1,250 pencils, then 3 more boxes for $0.50.")
    assert features == ["tom", "buy", "#3", "boxe", "#1250", "pencil", "#3@1", "boxe@1", "#0.5"]


def test_paraphrase_with_same_numbers_is_caught_by_content_not_words():
    index = LookalikeIndex(
        BENCH + [("b/3", "Lena bakes 24 cookies and gives 5 of them to each of 3 friends.")]
    )
    match = index.best_match("To each of 3 friends Lena gives 5 of the 24 cookies she bakes.")
    assert match.words.score < 0.6 <= match.score
    assert match.content.problem_id == match.problem_id == "b/3"
    assert match.content.score >= CONTENT_THRESHOLD


def test_short_or_unrelated_questions_are_not_lookalikes_by_content():
    index = ContentIndex(BENCH)
    assert index.best_match("Tom has 3 apples.") == Match(None, 0.0)  # fewer than MIN_FEATURES
    assert index.best_match("Completely different words here now, sixty seconds") == Match(None, 0.0)
    assert ContentIndex([]).best_matches(["one two three four five six"]) == [Match(None, 0.0)]


def test_combined_score_reaches_the_word_threshold_when_either_signal_does():
    index = LookalikeIndex(BENCH, threshold=0.5, content_threshold=0.8)
    copy = index.best_match(BENCH[1][1])
    assert (copy.problem_id, copy.score, copy.words.score) == ("b/1", 1.0, 1.0)
    assert copy.content == Match("b/1", 1.0)
    assert index._combine(Match("x", 0.2), Match("y", 0.8)) == Lookalike(
        "y", 0.5, words=Match("x", 0.2), content=Match("y", 0.8)
    )
    with pytest.raises(ValueError, match="content_threshold"):
        LookalikeIndex(BENCH, content_threshold=0)


PARAPHRASES = Path(__file__).parent / "data" / "gsm8k_paraphrases.jsonl"


@pytest.mark.skipif(not (DATA_DIR / "gsm8k").is_dir(), reason=f"no benchmark data at {DATA_DIR}")
def test_paraphrases_of_test_questions_are_caught_and_unrelated_problems_pass():
    """Floors from bench/bench_leakage.py (49 paraphrases: words alone 8 %, either 86 %; FPR 0.6 %)."""
    benchmarks = [load_benchmark("gsm8k", DATA_DIR, "test")]
    benchmarks += [load_benchmark(name, DATA_DIR) for name in ("svamp", "asdiv", "multiarith")]
    index = LookalikeIndex.from_problems(p for bench in benchmarks for p in bench)
    rows = [json.loads(line) for line in PARAPHRASES.read_text().splitlines()]
    assert len(rows) >= 40
    train = [p.question for p in load_benchmark("gsm8k", DATA_DIR, "train")]
    unrelated = random.Random(0).sample(train, 300) + [
        problem_for_seed(s, 1 + s % 8).text for s in range(100)
    ]
    caught = index.best_matches(r["question"] for r in rows)
    passed = index.best_matches(unrelated)
    recall = sum(m.score >= 0.6 for m in caught) / len(rows)
    words_recall = sum(m.words.score >= 0.6 for m in caught) / len(rows)
    false_positives = sum(m.score >= 0.6 for m in passed) / len(unrelated)
    assert words_recall <= 0.2 < 0.8 <= recall
    assert false_positives <= 0.015
    right = sum(
        m.problem_id == r["benchmark_id"] for m, r in zip(caught, rows, strict=True) if m.score >= 0.6
    )
    assert right == sum(m.score >= 0.6 for m in caught)
