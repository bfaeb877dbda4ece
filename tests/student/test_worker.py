"""Jobs run by real Celery worker processes: on Redis and Postgres, and on the server-less default.

Train a tiny model and watch its loss fall, predict and evaluate with the checkpoint it wrote, cancel a
running job, and kill (SIGKILL, whole process group) the worker in the middle of a job: the job is
re-queued and finished by another worker, never silently lost.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fixtures.processes import SERVICE_AUTH, Proc, running_service, running_worker
from tests.fixtures.servers import fresh_postgres_database, fresh_redis_db
from tests.fixtures.student_stack import finished, predict_problems, student_env, train_params, wait_for

pytestmark = pytest.mark.slow


@dataclass
class Stack:
    api: httpx.Client
    state: Path
    rescuers: list[Proc]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """API + a worker on ``cpu`` and ``rescue`` + a second worker on ``rescue`` (for the kill test, which
    runs last: it may kill either)."""
    state = tmp_path_factory.mktemp("student-worker")
    with ExitStack() as stack:
        db = stack.enter_context(fresh_postgres_database("fdd_student"))
        redis_url = stack.enter_context(fresh_redis_db())
        known_queues = '["cpu", "gpu", "rescue"]'  # a job may name only a known queue
        env = student_env(
            state, redis_url, db, FDD_STUDENT_PRELOAD_LIBRARY="true", FDD_STUDENT_QUEUES=known_queues
        )
        rescuers = [
            stack.enter_context(running_worker(env, state / f"worker-{i}.log", queues))
            for i, queues in enumerate(("cpu,rescue", "rescue"))
        ]
        url = stack.enter_context(
            running_service("fdd-student-api", env, state / "api.log", "FDD_STUDENT_PORT")
        )
        api = stack.enter_context(httpx.Client(base_url=url, timeout=120, headers=SERVICE_AUTH))
        yield Stack(api, state, rescuers)


@pytest.fixture(scope="module")
def trained(stack: Stack) -> dict[str, Any]:
    response = stack.api.post("/v1/jobs", json={"id": "train-1", "params": train_params(60, epochs=3)})
    assert response.status_code == 201, response.text
    return wait_for(stack.api, "train-1", finished, timeout=180)


def test_train_job_lowers_the_loss_and_names_the_checkpoint_after_the_job(stack, trained):
    assert trained["status"] == "succeeded", trained["error"]
    result = trained["result"]
    assert result["checkpoint"] == "train-1"
    assert result["metrics"]["train_loss"] < result["metrics"]["first_loss"]
    assert trained["progress"]["done"] == trained["progress"]["total"] == result["metrics"]["steps"]
    checkpoint = stack.api.get("/v1/checkpoints/train-1").json()
    assert checkpoint["meta"]["n_examples"] == 60


def test_predict_job_returns_every_prediction(stack, trained):
    body = {
        "id": "predict-1",
        "params": {"kind": "predict", "checkpoint": "train-1", "problems": predict_problems(6)},
    }
    assert stack.api.post("/v1/jobs", json=body).status_code == 201
    job = wait_for(stack.api, "predict-1", finished)
    assert job["status"] == "succeeded", job["error"]
    predictions = job["result"]["predictions"]
    assert [p["id"] for p in predictions] == [f"p{i}" for i in range(6)]
    assert sum(job["result"]["counts"].values()) == 6


def test_evaluate_jobs_score_inline_problems_and_a_named_benchmark(stack, trained):
    inline = {
        "kind": "evaluate",
        "checkpoint": "train-1",
        "benchmark": "easy",
        "problems": predict_problems(5),
    }
    named = {"kind": "evaluate", "checkpoint": "train-1", "benchmark": "svamp", "limit": 3, "group_by": None}
    for job_id, params in (("eval-inline", inline), ("eval-svamp", named)):
        assert stack.api.post("/v1/jobs", json={"id": job_id, "params": params}).status_code == 201
    by_steps = wait_for(stack.api, "eval-inline", finished)["result"]
    svamp = wait_for(stack.api, "eval-svamp", finished)
    assert by_steps["n"] == 5
    assert by_steps["by_group"]["1"]["n"] == 5
    assert svamp["status"] == "succeeded", svamp["error"]
    assert (svamp["result"]["n"], svamp["result"]["source"]) == (3, "benchmark")
    assert Path(svamp["result"]["log_path"]).is_file()


def test_generate_answers_in_the_api_process(stack, trained):
    body = {"checkpoint": "train-1", "problems": predict_problems(2), "decoding": {"max_new_tokens": 32}}
    response = stack.api.post("/v1/generate", json=body)
    assert response.status_code == 200, response.text
    assert [p["id"] for p in response.json()["predictions"]] == ["p0", "p1"]


def test_cancel_stops_a_running_train_job(stack):
    params = train_params(60, epochs=1000)
    assert stack.api.post("/v1/jobs", json={"id": "cancel-me", "params": params}).status_code == 201
    wait_for(stack.api, "cancel-me", lambda j: j["progress"]["done"] > 0 or finished(j))
    assert stack.api.delete("/v1/jobs/cancel-me").status_code == 200
    job = wait_for(stack.api, "cancel-me", finished, timeout=60)
    assert job["status"] == "cancelled"
    assert "cancelled" in job["error"]
    assert stack.api.get("/v1/checkpoints/cancel-me").status_code == 404


def test_job_of_a_killed_worker_is_finished_by_another_worker(stack):
    params = train_params(60, epochs=1000, time_limit_s=4)  # trains ~4 s, then keeps its best weights
    body = {"id": "survivor", "params": params, "queue": "rescue"}
    assert stack.api.post("/v1/jobs", json=body).status_code == 201
    wait_for(stack.api, "survivor", lambda j: j["progress"]["done"] > 0 or finished(j), timeout=120)
    victim = next(w for w in stack.rescuers if "student.train[survivor] received" in w.logs())
    victim.kill()  # SIGKILL on the worker's process group, in the middle of training
    job = wait_for(stack.api, "survivor", finished, timeout=120)
    assert job["status"] == "succeeded", job["error"]
    assert job["attempts"] == 2
    assert job["result"]["checkpoint"] == "survivor"


def test_embedded_default_runs_jobs_and_enforces_the_time_limit(tmp_path):
    """No Redis, no Postgres: the filesystem transport and SQLite, with a soft time limit of 12 s."""
    env = student_env(tmp_path, FDD_STUDENT_TASK_SOFT_TIME_LIMIT_S="12", FDD_STUDENT_PRELOAD_LIBRARY="true")
    # A wider, deeper tiny model for 1000 epochs: minutes of training, far past the 12 s limit (the easy
    # examples collapse to ~45 distinct masked pairs, so the epochs alone are not enough on a fast CPU).
    endless = train_params(60, epochs=1000, tiny={"hidden": 256, "layers": 8, "heads": 8})
    with (
        running_worker(env, tmp_path / "worker.log"),
        running_service("fdd-student-api", env, tmp_path / "api.log", "FDD_STUDENT_PORT") as url,
        httpx.Client(base_url=url, timeout=60, headers=SERVICE_AUTH) as api,
    ):
        api.post("/v1/jobs", json={"id": "quick", "params": train_params(20, epochs=1, max_steps=2)})
        api.post("/v1/jobs", json={"id": "endless", "params": endless})
        quick = wait_for(api, "quick", finished, timeout=180)
        stopped = wait_for(api, "endless", finished, timeout=120)
    assert quick["status"] == "succeeded", quick["error"]
    assert (tmp_path / "student.db").is_file()
    assert stopped["status"] == "failed"
    assert stopped["error"].startswith("time limit")
