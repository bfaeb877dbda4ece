"""POST/GET /v1/datasets: benchmark import, JSON upload (bad rows rejected whole), conflicts, reads."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from fdd.datasets import load_benchmark
from orchestrator.datasets.models import Dataset, DatasetProblem


def count(engine: Engine, model: type) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def upload(name: str, problems: list[dict]) -> dict:
    return {"name": name, "source": "jsonl", "problems": problems}


def test_benchmark_import_stores_every_problem_with_its_population_hash(
    api_client: TestClient, orchestrator_engine: Engine
) -> None:
    expected = load_benchmark("multiarith")  # from FDD_DATA_DIR (tests/conftest.py: the shared data)
    response = api_client.post(
        "/v1/datasets", json={"name": "multiarith", "source": "benchmark", "benchmark": "multiarith"}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["n_problems"] + body["spec"]["duplicates"] == len(expected)
    assert body["spec"]["benchmark"] == "multiarith"
    assert count(orchestrator_engine, DatasetProblem) == body["n_problems"]
    detail = api_client.get(f"/v1/datasets/{body['id']}").json()
    assert detail["sample"][0]["external_id"] == expected.problems[0].id
    if body["spec"]["duplicates"] == 0:
        assert body["population_hash"] == expected.population_hash


def test_upload_with_a_bad_row_names_row_and_field_and_writes_nothing(
    api_client: TestClient, orchestrator_engine: Engine
) -> None:
    rows = [{"question": f"Tom has {i} apples. How many?", "answer": i} for i in range(5)]
    rows[3]["answer"] = "three"
    response = api_client.post("/v1/datasets", json=upload("bad", rows))
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("problems.3.answer:")
    assert count(orchestrator_engine, Dataset) == 0
    assert count(orchestrator_engine, DatasetProblem) == 0


def test_upload_deduplicates_repeated_problems_and_numbers_unnamed_rows(api_client: TestClient) -> None:
    rows = [
        {"question": "Ann has 3 pens. She buys 2. How many?", "answer": 5},
        {"question": "ann has 3 pens.  She buys 2. How many?", "answer": 5.0},  # same after normalising
        {
            "id": "mine",
            "question": "Bob has 4 cups. He breaks 1. How many?",
            "answer": 3,
            "meta": {"steps": 1},
        },
    ]
    body = api_client.post("/v1/datasets", json=upload("small", rows)).json()
    assert (body["n_problems"], body["spec"]["duplicates"]) == (2, 1)
    sample = api_client.get(f"/v1/datasets/{body['id']}").json()["sample"]
    assert [p["external_id"] for p in sample] == ["small/0", "mine"]
    assert sample[1]["meta"] == {"steps": 1}


def test_second_dataset_with_the_same_name_is_a_conflict(api_client: TestClient) -> None:
    rows = [{"question": "What is 2 plus 2?", "answer": 4}]
    assert api_client.post("/v1/datasets", json=upload("twice", rows)).status_code == 201
    response = api_client.post("/v1/datasets", json=upload("twice", rows))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "dataset_exists"


def test_unknown_benchmark_is_a_422_naming_the_field(api_client: TestClient) -> None:
    response = api_client.post("/v1/datasets", json={"name": "x", "source": "benchmark", "benchmark": "nope"})
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("benchmark: unknown benchmark 'nope'")


def test_source_fields_must_match_the_source(api_client: TestClient) -> None:
    response = api_client.post("/v1/datasets", json={"name": "x", "source": "benchmark"})
    assert response.status_code == 422
    assert "source=benchmark needs 'benchmark'" in response.json()["error"]["message"]
    response = api_client.post(
        "/v1/datasets", json={"name": "x", "source": "curriculum", "benchmark": "gsm8k"}
    )
    assert "does not take benchmark" in response.json()["error"]["message"]


def test_listing_pages_through_datasets(api_client: TestClient) -> None:
    for i in range(3):
        api_client.post("/v1/datasets", json=upload(f"d{i}", [{"question": f"q {i}", "answer": i}]))
    first = api_client.get("/v1/datasets", params={"limit": 2}).json()
    assert [d["name"] for d in first["items"]] == ["d0", "d1"]
    second = api_client.get("/v1/datasets", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [d["name"] for d in second["items"]] == ["d2"]
    assert second["next_cursor"] is None


def test_missing_dataset_is_404(api_client: TestClient) -> None:
    response = api_client.get("/v1/datasets/999")
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "not_found"


def test_curriculum_dataset_holds_the_requested_step_mix(api_client: TestClient) -> None:
    spec = {"n": 7, "steps": [1, 3], "seed": 5}
    body = api_client.post(
        "/v1/datasets", json={"name": "cur", "source": "curriculum", "curriculum": spec}
    ).json()
    assert body["n_problems"] == 7
    assert body["spec"]["steps"] == [1, 3]
    sample = api_client.get(f"/v1/datasets/{body['id']}").json()["sample"]
    assert {p["meta"]["steps"] for p in sample} == {1, 3}
    assert all("ans" in p["meta"]["program"] for p in sample)


def test_a_curriculum_dataset_too_large_for_one_request_is_a_422_and_writes_nothing(
    api_client: TestClient,
) -> None:
    spec = {"n": 1_000_000, "steps": [1]}
    response = api_client.post(
        "/v1/datasets", json={"name": "huge", "source": "curriculum", "curriculum": spec}
    )
    assert response.status_code == 422
    assert "curriculum.n: at most 100,000" in response.json()["error"]["message"]
    assert all(d["name"] != "huge" for d in api_client.get("/v1/datasets").json()["items"])
