"""fdd.curriculum.sets: seed and test sets on disk, in fdd's dataset schema, reproducible by seed."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from fdd.curriculum import fixed_step_problems, write_sets
from fdd.curriculum.__main__ import main
from fdd.curriculum.grammar import Problem


def _rows(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_sets_are_written_in_the_dataset_schema(tmp_path) -> None:
    paths = write_sets(tmp_path, n_seed=60, n_test=10, test_steps=[2, 5])
    assert set(paths) == {"seed", "test_2steps", "test_5steps"}
    seed_rows = _rows(paths["seed"])
    assert len(seed_rows) == 60
    for row in seed_rows:
        assert set(row) == {"id", "question", "answer", "source", "meta"}
        assert set(row["meta"]) == {"steps", "ops", "program"}
        assert isinstance(row["answer"], int)
        assert row["source"] == "synthetic"
        assert row["meta"]["program"].splitlines()[-1].startswith("ans = ")
    assert set(Counter(r["meta"]["steps"] for r in seed_rows)) == {1, 2, 3}
    assert {r["meta"]["steps"] for r in _rows(paths["test_5steps"])} == {5}


def test_sets_share_no_question_and_ids_are_unique(tmp_path) -> None:
    paths = write_sets(tmp_path, n_seed=80, n_test=20, test_steps=[1, 2, 3])
    rows = [row for path in paths.values() for row in _rows(path)]
    assert len({r["question"] for r in rows}) == len(rows)
    assert len({r["id"] for r in rows}) == len(rows)


def test_same_seed_writes_the_same_files(tmp_path) -> None:
    first = write_sets(tmp_path / "a", n_seed=30, n_test=5, test_steps=[4], seed=3)
    second = write_sets(tmp_path / "b", n_seed=30, n_test=5, test_steps=[4], seed=3)
    other = write_sets(tmp_path / "c", n_seed=30, n_test=5, test_steps=[4], seed=4)
    assert first["seed"].read_text() == second["seed"].read_text()
    assert first["seed"].read_text() != other["seed"].read_text()


def test_command_line_writes_the_sets(tmp_path, capsys) -> None:
    main(["--out", str(tmp_path), "--seed-size", "20", "--test-size", "4", "--test-steps", "6-7"])
    assert len(_rows(tmp_path / "seed.jsonl")) == 20
    assert len(_rows(tmp_path / "test_7steps.jsonl")) == 4
    assert "test_6steps" in capsys.readouterr().out


def _has_unused_number(problem: Problem) -> bool:
    numbers = set(re.findall(r"\d+", problem.text))
    used = set(re.findall(r"\d+", problem.program))
    return bool(numbers - used)


def test_distractor_rate_controls_unneeded_facts() -> None:
    none = fixed_step_problems(150, 2, seed=3, distractor_rate=0.0)
    every = fixed_step_problems(150, 2, seed=3, distractor_rate=1.0)
    assert not any(_has_unused_number(p) for p in none)
    assert sum(_has_unused_number(p) for p in every) >= 0.85 * len(
        every
    )  # a distractor may repeat a used number
    with pytest.raises(ValueError, match="distractor_rate"):
        fixed_step_problems(1, 1, distractor_rate=1.5)
