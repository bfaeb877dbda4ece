"""fdd.curriculum.sets: seed and test sets on disk, in fdd's dataset schema, reproducible by seed."""

from __future__ import annotations

import json
from collections import Counter

from fdd.curriculum import write_sets
from fdd.curriculum.__main__ import main


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
