"""No 5xx from input on Postgres: ids and cursors past the 32-bit columns, NUL characters, NaN and Infinity
are each a 422 naming the parameter or field (or a 404), and nothing is written."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

TOO_BIG = 2**31  # one past Postgres' INTEGER


@pytest.mark.parametrize(
    "path",
    [
        f"/v1/runs/{TOO_BIG}",
        f"/v1/runs/{TOO_BIG}/rounds/0",
        f"/v1/runs/1/rounds/{TOO_BIG}",
        f"/v1/runs/{TOO_BIG}/problems",
        f"/v1/runs/{TOO_BIG}/export",
        f"/v1/runs/{TOO_BIG}/rejections",
        f"/v1/problems/{TOO_BIG}/lineage",
        f"/v1/datasets/{TOO_BIG}",
        f"/v1/runs?cursor={TOO_BIG}",
        f"/v1/datasets?cursor={TOO_BIG}",
        f"/v1/runs/1/problems?cursor={TOO_BIG}",
        f"/v1/runs/1/rejections?cursor={10**30}",
        "/v1/runs/-1",
    ],
)
def test_ids_and_cursors_past_the_integer_columns_are_422(api_client: TestClient, path: str) -> None:
    response = api_client.get(path)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_error"


def test_the_largest_id_is_an_ordinary_404(api_client: TestClient) -> None:
    for path in (f"/v1/runs/{TOO_BIG - 1}", f"/v1/datasets/{TOO_BIG - 1}"):
        assert api_client.get(path).status_code == 404
    assert api_client.post(f"/v1/runs/{TOO_BIG}/cancel").status_code == 422


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"name": "r", "budget_usd": 1e400}', "budget_usd"),
        ('{"name": "r", "budget_usd": -1e400}', "budget_usd"),
        ('{"name": "r", "budget_usd": NaN}', "budget_usd"),
        ('{"name": "r", "budget_usd": Infinity}', "budget_usd"),
        ('{"name": "r", "teacher": {"temperature": NaN}}', "teacher.temperature"),
        ('{"name": "r\\u0000x"}', "name"),
        ('{"name": "r", "evaluation": {"benchmarks": ["svamp", "gsm\\u0000"]}}', "evaluation.benchmarks.1"),
    ],
)
def test_non_finite_numbers_and_nul_characters_in_a_run_are_422_naming_the_field(
    api_client: TestClient, body: str, field: str
) -> None:
    response = api_client.post("/v1/runs", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["message"].startswith(f"{field}: ")
    assert api_client.get("/v1/runs").json()["items"] == []


def test_a_body_in_utf16_is_checked_too(api_client: TestClient) -> None:
    body = '{"name": "r", "budget_usd": NaN}'.encode("utf-16")
    response = api_client.post("/v1/runs", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422


def test_nul_in_an_uploaded_question_or_a_query_parameter_is_422(api_client: TestClient) -> None:
    rows = [{"question": "Tom has 3 apples.", "answer": 3}, {"question": "Ann has\u0000 2.", "answer": 2}]
    response = api_client.post("/v1/datasets", json={"name": "d", "source": "jsonl", "problems": rows})
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("problems.1.question: ")
    assert api_client.get("/v1/datasets").json()["items"] == []
    response = api_client.get("/v1/runs/1/rejections", params={"reason": "a\u0000"})
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("reason: ")


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"seed": {"dataset_id": 2**40}}, "seed.dataset_id"),
        ({"evaluation": {"benchmarks": [f"dataset:{10**12}"]}}, "evaluation.benchmarks.0"),
        ({"evaluation": {"benchmarks": ["dataset:\u00b2"]}}, "evaluation.benchmarks.0"),  # '²'.isdigit()
    ],
)
def test_dataset_ids_past_the_column_do_not_exist(api_client: TestClient, config: dict, field: str) -> None:
    response = api_client.post("/v1/runs", json={"name": "r", **config})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["message"].startswith(f"{field}: dataset ")
