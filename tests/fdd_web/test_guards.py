"""The input guard: NUL characters and non-finite numbers found and named, ordinary bodies untouched."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from fdd_web.app import install
from fdd_web.guards import check_json_body, find_unstorable


class Item(BaseModel):
    name: str
    values: list[float] = []


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()
    install(app, "test")

    @app.post("/items")
    def create(item: Item) -> Item:
        return item

    return TestClient(app)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"a": [1, 2, {"b": NaN}]}', "a.2.b"),
        (b'{"a": 1e400}', "a"),
        (b'{"a": -Infinity}', "a"),
        (b'{"a": "x\\u0000"}', "a"),
        (b'{"a\\u0000": 1}', "body"),
        (b'"\\u0000"', "body"),
    ],
)
def test_the_first_unstorable_value_is_named(body, field):
    found = check_json_body(body)
    assert found is not None
    assert found[0] == field


@pytest.mark.parametrize(
    "body", [b'{"a": 1e300, "q": "NaN and Infinity as words", "b": "\\\\u0000"}', b"{not json", b"[]"]
)
def test_finite_numbers_words_and_malformed_json_pass(body):
    assert check_json_body(body) is None


def test_deep_nesting_is_walked_without_recursion():
    value: object = float("nan")
    for _ in range(5000):
        value = [value]
    assert find_unstorable(value) == (".".join(["0"] * 5000), find_unstorable(float("nan"))[1])


def test_the_app_answers_422_in_the_envelope_and_ordinary_requests_go_through(client):
    response = client.post("/items", content=b'{"name": "a", "values": [1, NaN]}')
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("values.1: must be a finite number")
    assert client.post("/items", json={"name": "ok", "values": [1.5]}).json()["name"] == "ok"
    headers = {"Content-Type": "application/json"}
    chunked = client.post("/items", content=iter([b'{"name": "a', b'\\u0000"}']), headers=headers)
    assert chunked.status_code == 422
    assert client.get("/healthz?x=%00").status_code == 422
