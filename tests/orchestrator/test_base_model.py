"""A run's base model is checked when the run is created: a model directory, a hub id in the local Hugging
Face cache, or one the hub answers for; anything else is one 422 naming the model, and no run is stored.
The hub is a small local HTTP server (``HF_ENDPOINT``), the only thing faked."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fdd.base_model import ModelNotFound, check_base_model
from fdd.config import core_settings

HUB_MODELS = {"known-org/known-model"}


class FakeHub(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        known = self.path.removeprefix("/api/models/") in HUB_MODELS
        self.send_response(200 if known else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"id": self.path} if known else {"error": "not found"}).encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hub() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def hf_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty Hugging Face cache, no hub (a closed port), and FDD_STATE_DIR in tmp_path."""
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HUGGINGFACE_HUB_CACHE", "HF_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # discard: nothing answers
    monkeypatch.setenv("FDD_STATE_DIR", str(tmp_path / "state"))
    core_settings.cache_clear()
    yield tmp_path
    core_settings.cache_clear()


def cache(hf: Path, repo_id: str) -> None:
    snapshot = hf / f"models--{repo_id.replace('/', '--')}" / "snapshots" / "0123abc"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")


def create(client: TestClient, base_model: str):
    return client.post("/v1/runs", json={"name": "r", "student": {"base_model": base_model}})


def test_an_uncached_hub_model_without_hub_access_is_refused_in_one_line(
    api_client: TestClient, hf_env: Path
) -> None:
    response = create(api_client, "Qwen/Qwen2.5-0.5B")
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert message.startswith(
        "student.base_model: 'Qwen/Qwen2.5-0.5B' not found locally and no hub access: fetch it first"
    )
    assert "\n" not in message
    assert api_client.get("/v1/runs").json()["items"] == []


def test_offline_refuses_an_uncached_model_even_when_the_hub_would_answer(
    api_client: TestClient, hf_env: Path, hub: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", hub)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    response = create(api_client, "known-org/known-model")
    assert response.status_code == 422
    assert "not found locally and no hub access" in response.json()["error"]["message"]


def test_a_cached_hub_model_is_accepted_offline(
    api_client: TestClient, hf_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    cache(hf_env / "hf", "Qwen/Qwen2.5-0.5B")
    cache(hf_env / "hf", "gpt2")
    assert create(api_client, "Qwen/Qwen2.5-0.5B").status_code == 201
    assert create(api_client, "gpt2").status_code == 201


def test_the_hub_is_asked_about_an_uncached_model(
    api_client: TestClient, hf_env: Path, hub: str, monkeypatch
) -> None:  # noqa: ANN001
    monkeypatch.setenv("HF_ENDPOINT", hub)
    assert create(api_client, "known-org/known-model").status_code == 201
    missing = create(api_client, "known-org/no-such-model")
    assert missing.status_code == 422
    assert missing.json()["error"]["message"] == (
        f"student.base_model: 'known-org/no-such-model' not found locally nor on the hub ({hub})"
    )


def test_a_local_path_must_be_a_model_directory(api_client: TestClient, hf_env: Path) -> None:
    models = hf_env / "state" / "models"
    (models / "good").mkdir(parents=True)
    (models / "good" / "config.json").write_text("{}")
    (models / "empty").mkdir()
    assert create(api_client, str(models / "good")).status_code == 201
    empty = create(api_client, str(models / "empty"))
    assert empty.status_code == 422
    assert "is not a model directory (no config.json in it)" in empty.json()["error"]["message"]
    gone = create(api_client, str(models / "gone"))
    assert (
        gone.json()["error"]["message"] == f"student.base_model: '{models / 'gone'}': no such model directory"
    )


def test_a_path_under_a_root_this_host_does_not_have_is_left_to_the_student(tmp_path: Path) -> None:
    artifacts = tmp_path / "student-artifacts"  # on the student's machine, not here
    check_base_model(str(artifacts / "checkpoints" / "run1-r0"), [tmp_path / "data", artifacts])
    (tmp_path / "data").mkdir()
    with pytest.raises(ModelNotFound, match="no such model directory"):
        check_base_model(str(tmp_path / "data" / "m"), [tmp_path / "data", artifacts])
