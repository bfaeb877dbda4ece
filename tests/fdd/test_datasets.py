"""Tests for fdd.datasets: the real benchmark files, format edge cases on tiny files, hashes, JSONL."""

from __future__ import annotations

import json

import pytest

from fdd import datasets
from fdd.config import core_settings
from fdd.datasets import (
    Benchmark,
    Problem,
    load_asdiv,
    load_benchmark,
    load_gsm8k,
    load_jsonl_benchmark,
    parse_asdiv_answer,
    read_problems_jsonl,
    write_problems_jsonl,
)
from tests.fixtures.data import DATA_DIR

needs_data = pytest.mark.skipif(not (DATA_DIR / "gsm8k").is_dir(), reason=f"no benchmark data at {DATA_DIR}")


@needs_data
@pytest.mark.parametrize(
    ("name", "split", "count", "first_id", "first_answer"),
    [
        ("gsm8k", "test", 1319, "gsm8k/test/0", 18),
        ("gsm8k", "train", 7473, "gsm8k/train/0", 72),
        ("svamp", None, 1000, "svamp/chal-1", 51),
        ("asdiv", None, 2168, "asdiv/nluds-0001", 9),
        ("asdiv-a", None, 1218, "asdiv/nluds-0001", 9),
        ("asdiv", "a", 1218, "asdiv/nluds-0001", 9),
        ("svamp", "test", 1000, "svamp/chal-1", 51),
        ("multiarith", None, 600, "multiarith/0", 39),
    ],
)
def test_real_benchmarks_load_with_expected_counts(name, split, count, first_id, first_answer):
    bench = load_benchmark(name, DATA_DIR, split=split)
    assert len(bench) == count
    assert bench.problems[0].id == first_id
    assert bench.problems[0].answer == first_answer
    assert len({p.id for p in bench}) == count
    assert all(isinstance(p.answer, int | float) for p in bench)


@needs_data
def test_asdiv_skips_non_numeric_answers_with_reasons():
    bench = load_asdiv(DATA_DIR)
    assert bench.skipped == {"non-numeric": 61, "time-or-ratio": 61, "multi-valued": 15}
    assert len(bench) + sum(bench.skipped.values()) == 2305


@needs_data
def test_gsm8k_keeps_worked_solution_and_strips_commas():
    bench = load_gsm8k(DATA_DIR, "train")
    with_comma = [
        p for p in bench if "#### " in p.meta["solution"] and "," in p.meta["solution"].split("####")[-1]
    ]
    assert len(with_comma) == 79
    assert all(isinstance(p.answer, int) for p in with_comma)
    assert sum(p.answer < 0 for p in bench) == 3


@needs_data
def test_population_hash_is_reproducible_across_loads():
    assert (
        load_benchmark("svamp", DATA_DIR).population_hash == load_benchmark("svamp", DATA_DIR).population_hash
    )
    assert (
        load_benchmark("asdiv", DATA_DIR).population_hash
        != load_benchmark("asdiv-a", DATA_DIR).population_hash
    )


def test_svamp_question_gets_missing_period(tmp_path):
    (tmp_path / "svamp").mkdir()
    records = [
        {
            "ID": "chal-1",
            "Body": "Dan had $ 4",
            "Question": "How much?",
            "Equation": "4",
            "Answer": 4.0,
            "Type": "T",
        },
        {
            "ID": "chal-2",
            "Body": "Ann had 3.",
            "Question": "Why?",
            "Equation": "3",
            "Answer": 2.5,
            "Type": "T",
        },
    ]
    (tmp_path / "svamp" / "SVAMP.json").write_text(json.dumps(records))
    bench = load_benchmark("svamp", tmp_path)
    assert [p.question for p in bench] == ["Dan had $ 4. How much?", "Ann had 3. Why?"]
    assert bench.problems[0].answer == 4
    assert isinstance(bench.problems[0].answer, int)
    assert bench.problems[1].answer == 2.5


def test_gsm8k_gold_after_hashes_with_commas_and_negatives(tmp_path):
    (tmp_path / "gsm8k").mkdir()
    lines = [
        {"question": "Q1?", "answer": "It is 1,000+80=<<1000+80=1080>>1080\n#### 1,080"},
        {"question": "Q2?", "answer": "Down 3\n#### -3"},
    ]
    (tmp_path / "gsm8k" / "test.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    bench = load_gsm8k(tmp_path)
    assert [p.answer for p in bench] == [1080, -3]
    assert bench.problems[0].meta["solution"] == lines[0]["answer"]
    assert [p.id for p in bench] == ["gsm8k/test/0", "gsm8k/test/1"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("9 (apples)", (9, None)),
        ("1,250 (dollars)", (1250, None)),
        ("0.75 (pound)", (0.75, None)),
        ("5/2", (2.5, None)),
        ("-(1/3)", (-1 / 3, None)),
        ("8; 40", (None, "multi-valued")),
        ("3:30 p.m.", (None, "time-or-ratio")),
        ("2:3", (None, "time-or-ratio")),
        ("Mrs. Hilt", (None, "non-numeric")),
        ("6th", (None, "non-numeric")),
    ],
)
def test_asdiv_answer_parsing(raw, expected):
    assert parse_asdiv_answer(raw) == expected


def test_content_hash_ignores_case_whitespace_and_float_form():
    a = Problem("a", "Tom has 3  apples.\nHow many?", 51.0, "x", {"k": 1})
    b = Problem("b", "tom has 3 apples. how many?", 51, "y")
    c = Problem("c", "Tom has 3 apples. How many?", 52, "x")
    assert a.content_hash == b.content_hash
    assert a.content_hash != c.content_hash
    assert len(a.content_hash) == 64


def test_population_hash_depends_on_problems_not_order_or_ids():
    p = [Problem(str(i), f"Question {i}?", i, "x") for i in range(5)]
    renamed = [Problem(f"other/{i}", f"question {i}?", i, "y") for i in reversed(range(5))]
    assert Benchmark.build("a", p).population_hash == Benchmark.build("b", renamed).population_hash
    assert Benchmark.build("a", p).population_hash != Benchmark.build("a", p[:4]).population_hash


def test_duplicate_ids_are_rejected():
    with pytest.raises(ValueError, match="duplicate problem ids"):
        Benchmark.build("dup", [Problem("x", "a", 1, "s"), Problem("x", "b", 2, "s")])


def test_jsonl_round_trip_and_registry(tmp_path):
    problems = [
        Problem("syn/0", "Ann has 2 pens and buys 3. How many?", 5, "curriculum", {"steps": 1}),
        Problem("syn/1", "Half of 7?", 3.5, "curriculum"),
    ]
    path = tmp_path / "sets" / "synthetic.jsonl"
    assert write_problems_jsonl(path, problems) == 2
    loaded = read_problems_jsonl(path)
    assert loaded == problems
    assert loaded[0].meta == {"steps": 1}
    bench = load_benchmark(f"jsonl:{path}", tmp_path)
    assert bench.name == f"jsonl:{path}"
    assert bench.population_hash == load_jsonl_benchmark(path).population_hash
    relative = load_benchmark("jsonl:sets/synthetic.jsonl", tmp_path)  # read from the data directory
    assert relative.population_hash == bench.population_hash


def test_jsonl_errors_name_the_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "question": "q", "answer": 1}\n\n{"id": "b", "question": "q"}\n')
    with pytest.raises(ValueError, match=r"bad.jsonl:3: missing field\(s\) \['answer'\]"):
        read_problems_jsonl(path)
    path.write_text('{"id": "a", "question": "q", "answer": "seven"}\n')
    with pytest.raises(ValueError, match="not a number"):
        read_problems_jsonl(path)
    path.write_text("{not json\n")
    with pytest.raises(ValueError, match=r"bad.jsonl:1: invalid JSON"):
        read_problems_jsonl(path)


def test_missing_file_error_names_path_and_env_var(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        load_benchmark("multiarith", tmp_path)
    message = str(info.value)
    assert str(tmp_path / "multiarith" / "MultiArith.json") in message
    assert "FDD_DATA_DIR" in message


def test_default_data_dir_comes_from_settings(tmp_path, monkeypatch):
    (tmp_path / "multiarith").mkdir()
    record = {"iIndex": 7, "sQuestion": "  A has 2.  ", "lEquations": ["X=2"], "lSolutions": [2.0]}
    (tmp_path / "multiarith" / "MultiArith.json").write_text(json.dumps([record]))
    monkeypatch.setenv("FDD_DATA_DIR", str(tmp_path))
    core_settings.cache_clear()
    try:
        bench = load_benchmark("multiarith")
    finally:
        core_settings.cache_clear()
    assert [(p.id, p.question, p.answer) for p in bench] == [("multiarith/7", "A has 2.", 2)]


def test_unknown_benchmark_lists_known_names():
    with pytest.raises(ValueError, match="unknown benchmark 'mawps'.*gsm8k"):
        load_benchmark("mawps")
    with pytest.raises(ValueError, match="split must be"):
        datasets.load_gsm8k("/nonexistent", "dev")
    with pytest.raises(ValueError, match=r"no split 'train'; choose from \['test'\]"):
        load_benchmark("svamp", "/nonexistent", split="train")
    with pytest.raises(ValueError, match="subset must be"):
        load_asdiv("/nonexistent", subset="b")
