"""The shared web kit: one error envelope for every error, health endpoints, one log line per request."""

from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from fdd_web.app import install
from fdd_web.errors import Conflict, NotFound


class Item(BaseModel):
    name: str = Field(min_length=1)
    count: int = Field(ge=0)


def make_app(ready: bool = True) -> FastAPI:
    async def check(_: FastAPI) -> None:
        if not ready:
            raise ConnectionError("db down")

    app = FastAPI()
    install(app, "svc", {"database": check})

    @app.post("/items")
    async def create_item(item: Item) -> Item:
        return item

    @app.get("/missing")
    async def missing() -> None:
        raise NotFound("item 7 not found", code="item_not_found")

    @app.get("/conflict")
    async def conflict() -> None:
        raise Conflict("already running")

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    return app


def test_validation_error_names_the_field() -> None:
    client = TestClient(make_app())
    response = client.post("/items", json={"name": "x", "count": -1})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["message"].startswith("count:")
    assert error["details"][0]["field"] == "count"


def test_service_errors_keep_their_status_and_envelope() -> None:
    client = TestClient(make_app())
    missing = client.get("/missing")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {"message": "item 7 not found", "type": "not_found", "code": "item_not_found"}
    }
    assert client.get("/conflict").status_code == 409
    assert client.get("/nowhere").json()["error"]["type"] == "http_error"


def test_unexpected_error_is_a_500_without_internals() -> None:
    client = TestClient(make_app(), raise_server_exceptions=False)
    response = client.get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert response.json()["error"]["type"] == "server_error"


@pytest.mark.parametrize(("ready", "status"), [(True, 200), (False, 503)])
def test_readyz_reports_each_dependency(ready: bool, status: int) -> None:
    client = TestClient(make_app(ready=ready))
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == status
    check = response.json()["checks"]["database"]
    assert (check == "ok") is ready
    if not ready:
        assert "db down" in check


def test_one_log_line_per_request(caplog: pytest.LogCaptureFixture) -> None:
    client = TestClient(make_app())
    with caplog.at_level(logging.INFO, logger="svc.http"):
        client.get("/healthz")
    lines = [r for r in caplog.records if r.name == "svc.http"]
    assert len(lines) == 1
    assert lines[0].__dict__["path"] == "/healthz"
    assert lines[0].__dict__["status"] == 200
