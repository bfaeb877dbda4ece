"""POST/GET /v1/runs, pause/resume/cancel through the state machine, rounds, auth and metrics."""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from orchestrator.app import create_app
from orchestrator.migrate import upgrade
from orchestrator.runs.models import Evaluation, Round
from orchestrator.runs.state import RoundStatus, Stage
from tests.fixtures.orchestrator_db import ADMIN_TOKEN, orchestrator_settings


def create_run(client: TestClient, **config: object) -> dict:
    response = client.post("/v1/runs", json={"name": "exp", **config})
    assert response.status_code == 201, response.text
    return response.json()


def test_created_run_is_pending_at_init_with_complete_config(api_client: TestClient) -> None:
    run = create_run(api_client, rounds=2, teacher={"k": 2})
    assert (run["status"], run["stage"], run["current_round"]) == ("pending", "init", 0)
    assert run["config"]["teacher"]["k"] == 2
    assert run["config"]["student"]["base_model"] == "tiny"  # defaults filled in
    assert api_client.get(f"/v1/runs/{run['id']}").json()["config"] == run["config"]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"rounds": 11}, "rounds: Input should be less than or equal to 10"),
        ({"teacher": {"k": 0}}, "teacher.k: Input should be greater than or equal to 1"),
        ({"teacher": {"k_variants": 2, "min_agree": 3}}, "teacher: Value error, min_agree must be at most"),
        ({"student": {"epoch": 3}}, "student.epoch: Extra inputs are not permitted"),
        ({"feedback": "both"}, "feedback: Input should be 'fdd', 'random', 'complex_only' or 'similar_only'"),
        ({"seed": {"dataset_id": 12345}}, "seed.dataset_id: dataset 12345 does not exist"),
        ({"student": {"queue": "x/y"}}, "student.queue: unknown queue 'x/y'; known: cpu, gpu"),
        (
            {"student_by_round": {"1": {"queue": "gpu"}}},
            "body: Value error, student_by_round.1.queue: Extra inputs",
        ),
    ],
)
def test_invalid_config_is_a_422_naming_the_field(api_client: TestClient, config: dict, message: str) -> None:
    response = api_client.post("/v1/runs", json={"name": "bad", **config})
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith(message)
    assert api_client.get("/v1/runs").json()["items"] == []


def test_a_run_may_name_a_known_student_queue(api_client: TestClient) -> None:
    run = create_run(api_client, student={"queue": "gpu"})
    assert api_client.get(f"/v1/runs/{run['id']}").json()["config"]["student"]["queue"] == "gpu"
    assert create_run(api_client)["config"]["student"]["queue"] is None  # the student's default queue


def test_pause_resume_cancel_follow_the_state_machine(api_client: TestClient) -> None:
    run_id = create_run(api_client)["id"]
    assert api_client.post(f"/v1/runs/{run_id}/pause").json()["status"] == "paused"
    assert api_client.post(f"/v1/runs/{run_id}/resume").json()["status"] == "running"
    conflict = api_client.post(f"/v1/runs/{run_id}/resume")
    assert conflict.status_code == 409
    assert conflict.json()["error"]["message"] == f"run {run_id} is running; cannot move to running"
    cancelled = api_client.post(f"/v1/runs/{run_id}/cancel").json()
    assert cancelled["status"] == "cancelled"
    assert cancelled["finished_at"] is not None
    assert api_client.post(f"/v1/runs/{run_id}/resume").status_code == 409


def test_actions_on_a_missing_run_are_404(api_client: TestClient) -> None:
    for path in ("/v1/runs/999", "/v1/runs/999/rounds/0"):
        assert api_client.get(path).status_code == 404
    assert api_client.post("/v1/runs/999/pause").status_code == 404


def test_listing_filters_by_status_newest_first(api_client: TestClient) -> None:
    ids = [create_run(api_client)["id"] for _ in range(3)]
    api_client.post(f"/v1/runs/{ids[1]}/cancel")
    listed = api_client.get("/v1/runs", params={"limit": 2}).json()
    assert [r["id"] for r in listed["items"]] == [ids[2], ids[1]]
    rest = api_client.get("/v1/runs", params={"limit": 2, "cursor": listed["next_cursor"]}).json()
    assert [r["id"] for r in rest["items"]] == [ids[0]]
    cancelled = api_client.get("/v1/runs", params={"status": "cancelled"}).json()["items"]
    assert [r["id"] for r in cancelled] == [ids[1]]


def test_round_detail_has_progress_metrics_and_evaluations(
    api_client: TestClient, db_sessionmaker: sessionmaker[Session]
) -> None:
    run_id = create_run(api_client)["id"]
    with db_sessionmaker.begin() as session:
        round_ = Round(
            run_id=run_id,
            index=0,
            stage=Stage.EVALUATE,
            status=RoundStatus.RUNNING,
            progress={"train": {"done": 1, "total": 1}},
            metrics={"train_loss": 0.4},
        )
        session.add(round_)
        session.flush()
        session.add(Evaluation(round_id=round_.id, benchmark="svamp", accuracy=0.5, n=10, by_group={}))
    detail = api_client.get(f"/v1/runs/{run_id}/rounds/0").json()
    assert detail["progress"] == {"train": {"done": 1, "total": 1}}
    assert detail["metrics"] == {"train_loss": 0.4}
    assert [(e["benchmark"], e["accuracy"]) for e in detail["evaluations"]] == [("svamp", 0.5)]
    run = api_client.get(f"/v1/runs/{run_id}").json()
    assert [r["index"] for r in run["rounds"]] == [0]
    assert api_client.get(f"/v1/runs/{run_id}/rounds/1").status_code == 404


def test_admin_api_needs_the_bearer_token(api_app, api_client: TestClient) -> None:  # noqa: ANN001
    anonymous = TestClient(api_app)
    missing = anonymous.get("/v1/runs")
    assert missing.status_code == 401
    assert missing.json()["error"]["type"] == "unauthorized"
    assert missing.headers["www-authenticate"] == "Bearer"
    assert (
        anonymous.post("/v1/runs", json={"name": "x"}, headers={"Authorization": "Bearer wrong"}).status_code
        == 401
    )
    assert anonymous.get("/v1/datasets", headers={"Authorization": "Basic abc"}).status_code == 401
    assert api_client.get("/v1/runs").status_code == 200


def test_the_admin_token_is_read_and_compared_as_the_service_token_is(
    api_app, api_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b))
    anonymous = TestClient(api_app)
    blank = anonymous.get("/v1/runs", headers={"Authorization": "Bearer   "})
    wrong = anonymous.get("/v1/runs", headers={"Authorization": "bearer  guess "})
    assert (blank.status_code, wrong.status_code, api_client.get("/v1/runs").status_code) == (401, 401, 200)
    assert blank.json()["error"]["message"].startswith(
        "missing bearer token"
    )  # blank is missing, as in fdd_web
    assert wrong.json()["error"]["message"] == "invalid admin token"
    assert compared == [(b"guess", ADMIN_TOKEN.encode()), (ADMIN_TOKEN.encode(), ADMIN_TOKEN.encode())]


def test_health_and_metrics_are_open_and_count_runs(api_app, api_client: TestClient) -> None:  # noqa: ANN001
    create_run(api_client)
    anonymous = TestClient(api_app)
    assert anonymous.get("/healthz").status_code == 200
    assert anonymous.get("/readyz").json()["checks"] == {"database": "ok"}
    text = anonymous.get("/metrics").text
    assert 'fdd_orchestrator_runs{status="pending"} 1.0' in text
    assert 'fdd_orchestrator_problems{origin="seed"} 0.0' in text
    assert 'fdd_orchestrator_requests_total{method="POST",route="/v1/runs",status="201"} 1.0' in text


def test_timestamps_read_back_from_sqlite_carry_their_offset(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'orchestrator.db'}"
    upgrade(url)
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with TestClient(create_app(orchestrator_settings(url)), headers=auth) as client:
        run_id = create_run(client)["id"]
        read = client.get(f"/v1/runs/{run_id}").json()
        [listed] = client.get("/v1/runs").json()["items"]
    for value in (read["created_at"], listed["created_at"]):  # RFC 3339 date-time: with an offset
        assert datetime.fromisoformat(value).utcoffset() == timedelta(0), value
