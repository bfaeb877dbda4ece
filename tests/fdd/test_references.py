"""Data and model references: read only inside the allowed roots, one refusal whatever lies outside."""

from __future__ import annotations

from pathlib import Path

import pytest

from fdd.datasets import Problem, load_benchmark, write_problems_jsonl
from fdd.references import (
    JSONL_REFUSED,
    MODEL_REFUSED,
    RefusedReference,
    check_model_reference,
    resolve_jsonl,
)


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, Path]:
    """A data directory with one good set, and outside it a valid set, a bad file and a symlink out."""
    data, outside = tmp_path / "data", tmp_path / "outside"
    data.mkdir()
    outside.mkdir()
    good = [Problem("a/0", "Ann has 2 pens and buys 3. How many?", 5, "x")]
    write_problems_jsonl(data / "sets" / "mine.jsonl", good)
    write_problems_jsonl(outside / "valid.jsonl", good)
    (outside / "notjson.jsonl").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (data / "escape.jsonl").symlink_to(outside / "valid.jsonl")
    return {"data": data, "outside": outside}


def test_a_jsonl_file_inside_the_data_directory_loads_by_absolute_or_relative_path(layout):
    data = layout["data"]
    assert len(load_benchmark(f"jsonl:{data / 'sets' / 'mine.jsonl'}", data)) == 1
    assert len(load_benchmark("jsonl:sets/mine.jsonl", data)) == 1


def test_every_reference_outside_the_data_directory_gets_the_same_refusal(layout):
    data, outside = layout["data"], layout["outside"]
    refs = [
        str(outside / "valid.jsonl"),  # exists, valid
        str(outside / "notjson.jsonl"),  # exists, not JSON
        str(outside / "missing.jsonl"),  # does not exist
        "/etc/passwd",
        "../outside/valid.jsonl",  # climbs out of the data directory
        "escape.jsonl",  # a symlink inside pointing out
        "sets/\x00.jsonl",
        "",
    ]
    messages = set()
    for ref in refs:
        with pytest.raises(RefusedReference) as info:
            load_benchmark(f"jsonl:{ref}", data)
        messages.add(str(info.value))
    assert messages == {JSONL_REFUSED}


def test_errors_inside_the_data_directory_are_still_reported(layout):
    data = layout["data"]
    (data / "broken.jsonl").write_text("{not json\n")
    with pytest.raises(ValueError, match="invalid JSON"):
        load_benchmark("jsonl:broken.jsonl", data)
    with pytest.raises(FileNotFoundError):
        load_benchmark("jsonl:nothere.jsonl", data)
    assert resolve_jsonl("sets/../sets/mine.jsonl", data) == (data / "sets" / "mine.jsonl").resolve()


@pytest.mark.parametrize("name", ["tiny", "gpt2", "Qwen/Qwen2.5-0.5B", "HuggingFaceTB/SmolLM-135M"])
def test_tiny_and_hub_ids_are_accepted_as_models(name, tmp_path):
    check_model_reference(name, [tmp_path])


@pytest.mark.parametrize("name", ["/etc", "/", "../x", "./x/../../..", "a/b/c", "~root", "/tmp/\x00"])
def test_model_paths_outside_the_roots_are_refused_alike(name, tmp_path):
    with pytest.raises(RefusedReference) as info:
        check_model_reference(name, [tmp_path / "models"])
    assert str(info.value) == MODEL_REFUSED


def test_a_model_path_inside_a_root_is_accepted_but_not_a_symlink_out_of_it(tmp_path):
    root = tmp_path / "models"
    (root / "mine").mkdir(parents=True)
    (root / "out").symlink_to("/etc")
    check_model_reference(str(root / "mine"), [root])
    with pytest.raises(RefusedReference):
        check_model_reference(str(root / "out"), [root])
