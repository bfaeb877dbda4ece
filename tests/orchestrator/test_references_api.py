"""Host files through the admin API: dataset imports and run configs read only inside the allowed roots,
and every refusal is the same 422 whether the named file exists, is valid, or is missing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fdd.datasets import Problem, write_problems_jsonl
from fdd.references import JSONL_REFUSED, MODEL_REFUSED
from orchestrator.app import create_app
from tests.fixtures.orchestrator_db import ADMIN_TOKEN, orchestrator_settings

GOOD = [Problem("a/0", "Ann has 2 pens and buys 3. How many pens?", 5, "x")]


@pytest.fixture
def dirs(tmp_path: Path) -> dict[str, Path]:
    data, outside = tmp_path / "data", tmp_path / "outside"
    write_problems_jsonl(data / "sets" / "mine.jsonl", GOOD)
    write_problems_jsonl(outside / "valid.jsonl", GOOD)
    (outside / "notjson.jsonl").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (data / "escape.jsonl").symlink_to(outside / "valid.jsonl")
    return {"data": data, "outside": outside}


@pytest.fixture
def client(orchestrator_url: str, clean_database: None, dirs: dict[str, Path]) -> Iterator[TestClient]:
    app = create_app(orchestrator_settings(orchestrator_url, data_dir=dirs["data"]))
    with TestClient(app, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as test_client:
        yield test_client


def import_jsonl(client: TestClient, name: str, ref: str):
    return client.post(
        "/v1/datasets", json={"name": name, "source": "benchmark", "benchmark": f"jsonl:{ref}"}
    )


def test_a_jsonl_file_in_the_data_directory_imports(client: TestClient) -> None:
    response = import_jsonl(client, "mine", "sets/mine.jsonl")
    assert response.status_code == 201, response.text
    assert response.json()["n_problems"] == 1


def test_dataset_imports_from_outside_the_data_directory_all_get_one_refusal(client, dirs) -> None:
    outside = dirs["outside"]
    refs = [
        outside / "valid.jsonl",
        outside / "notjson.jsonl",
        outside / "missing.jsonl",
        "/etc/passwd",
        "../outside/valid.jsonl",
        "escape.jsonl",
    ]
    bodies = set()
    for index, ref in enumerate(refs):
        response = import_jsonl(client, f"d{index}", str(ref))
        assert response.status_code == 422, (ref, response.text)
        bodies.add(response.text)
    assert len(bodies) == 1
    message = import_jsonl(client, "again", "/etc/passwd").json()["error"]
    assert (message["message"], message["code"]) == (f"benchmark: {JSONL_REFUSED}", "reference_refused")
    assert client.get("/v1/datasets").json()["items"] == []


@pytest.mark.parametrize(
    ("config", "field", "refusal"),
    [
        ({"evaluation": {"benchmarks": ["jsonl:/etc/passwd"]}}, "evaluation.benchmarks.0", JSONL_REFUSED),
        (
            {"evaluation": {"benchmarks": ["svamp", "jsonl:../x.jsonl"]}},
            "evaluation.benchmarks.1",
            JSONL_REFUSED,
        ),
        ({"leakage": {"benchmarks": ["jsonl:/nonexistent.jsonl"]}}, "leakage.benchmarks.0", JSONL_REFUSED),
        ({"student": {"base_model": "/etc"}}, "student.base_model", MODEL_REFUSED),
        ({"student": {"base_model": "../../models/x"}}, "student.base_model", MODEL_REFUSED),
    ],
)
def test_run_configs_naming_host_paths_outside_the_roots_are_refused(client, config, field, refusal) -> None:
    response = client.post("/v1/runs", json={"name": "r", **config})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["message"] == f"{field}: {refusal}"
    assert client.get("/v1/runs").json()["items"] == []


def test_an_unknown_benchmark_is_refused_when_the_run_is_created(client) -> None:
    response = client.post("/v1/runs", json={"name": "r", "evaluation": {"benchmarks": ["gsm9k"]}})
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith(
        "evaluation.benchmarks.0: unknown benchmark 'gsm9k'"
    )


@pytest.mark.parametrize("base_model", ["tiny", "Qwen/Qwen2.5-0.5B", "gpt2"])
def test_tiny_and_hub_models_are_accepted(client, base_model, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))  # the hub ids are cached (test_base_model)
    for repo_id in ("Qwen/Qwen2.5-0.5B", "gpt2"):
        snapshot = tmp_path / "hf" / f"models--{repo_id.replace('/', '--')}" / "snapshots" / "a"
        snapshot.mkdir(parents=True)
        (snapshot / "config.json").write_text("{}")
    response = client.post("/v1/runs", json={"name": "r", "student": {"base_model": base_model}})
    assert response.status_code == 201, response.text
