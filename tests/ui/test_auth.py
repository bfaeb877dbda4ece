"""The dashboard's login without a browser: the bearer header also opens it, a redirect never leaves it,
a form without its CSRF token is refused, and a bad filter is a 422 naming the field."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.fixtures.orchestrator_db import ADMIN_TOKEN


def test_bearer_header_opens_the_json(api_app: FastAPI) -> None:
    with TestClient(api_app) as client:
        assert client.get("/ui/api/runs").status_code == 401
        answer = client.get("/ui/api/runs", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert answer.status_code == 200
        assert answer.json() == {"items": [], "next_cursor": None}


def test_login_never_redirects_off_the_dashboard(api_app: FastAPI) -> None:
    with TestClient(api_app, follow_redirects=False) as client:
        for target in ("//evil.example/ui", "https://evil.example/ui", "/v1/runs", "/ui\\@evil"):
            answer = client.post("/ui/login", data={"token": ADMIN_TOKEN, "next": target})
            assert answer.status_code == 303
            assert answer.headers["location"] == "/ui"
        assert "fdd_ui" in answer.cookies


def test_post_without_csrf_token_is_refused(api_app: FastAPI) -> None:
    with TestClient(api_app, follow_redirects=False) as client:
        client.post("/ui/login", data={"token": ADMIN_TOKEN})
        answer = client.post("/ui/logout", data={"csrf": "forged"})
        assert answer.status_code == 403
        assert "reload the page" in answer.text


def test_bad_filter_names_the_field(api_app: FastAPI) -> None:
    with TestClient(api_app, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as client:
        answer = client.get("/ui/runs/1/problems", params={"origin": "teacher"})
        assert answer.status_code == 422
        assert "origin: must be one of seed, complex, similar" in answer.text
        assert client.get("/ui/runs/999999").status_code == 404
