"""The student API as a real process on Postgres and Redis: submission, idempotency, 404/409/422, cancel,
checkpoints, and the typed client. No worker runs here, so submitted jobs stay queued.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from fdd.clients.student import StudentClient, StudentError
from fdd.wire.student import GenerateRequest, JobCreate, JobStatus
from student.checkpoints import META_FILE
from tests.fixtures.processes import SERVICE_AUTH, SERVICE_TOKEN, free_port, running_service
from tests.fixtures.servers import fresh_postgres_database, fresh_redis_db
from tests.fixtures.student_stack import predict_problems, student_env, train_params


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("student-api")
    checkpoint = path / "artifacts" / "checkpoints" / "ck1"
    checkpoint.mkdir(parents=True)
    meta = {"created_at": "2026-01-01T00:00:00+00:00", "metrics": {"train_loss": 0.1}}
    (checkpoint / META_FILE).write_text(json.dumps(meta))
    (path / "artifacts" / "checkpoints" / ".ck2.tmp-1234").mkdir()  # half-written: never listed
    return path


@pytest.fixture(scope="module")
def api(state: Path) -> Iterator[httpx.Client]:
    with fresh_postgres_database("fdd_student") as db, fresh_redis_db() as redis_url:
        env = student_env(state, redis_url, db)
        with running_service("fdd-student-api", env, state / "api.log", "FDD_STUDENT_PORT") as url:
            with httpx.Client(base_url=url, timeout=30, headers=SERVICE_AUTH) as client:
                yield client


def post(
    api: httpx.Client, params: dict[str, Any], job_id: str | None = None, **extra: Any
) -> httpx.Response:
    body = {"params": params, **extra} | ({"id": job_id} if job_id else {})
    return api.post("/v1/jobs", json=body)


def error(response: httpx.Response) -> dict[str, Any]:
    return response.json()["error"]


def test_ready_checks_database_and_broker(api):
    body = api.get("/readyz").json()
    assert body["checks"] == {"broker": "ok", "database": "ok"}


def test_submitting_the_same_id_twice_returns_the_existing_job(api):
    first = post(api, train_params(8), "same-id")
    again = post(api, train_params(8), "same-id")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["created_at"] == again.json()["created_at"]
    assert again.json()["status"] == "queued"


def test_same_id_with_another_kind_is_409(api):
    post(api, train_params(8), "kind-clash")
    response = post(
        api, {"kind": "predict", "checkpoint": "ck1", "problems": predict_problems(2)}, "kind-clash"
    )
    assert response.status_code == 409
    assert "already exists as a train job" in error(response)["message"]


def test_unknown_checkpoint_is_404_at_submission_not_a_failed_job(api):
    response = post(api, {"kind": "predict", "checkpoint": "nope", "problems": predict_problems(2)}, "p-nope")
    assert response.status_code == 404
    assert error(response)["code"] == "checkpoint_not_found"
    assert api.get("/v1/jobs/p-nope").status_code == 404


def test_evaluate_with_known_checkpoint_is_queued(api):
    response = post(
        api, {"kind": "evaluate", "checkpoint": "ck1", "benchmark": "svamp", "limit": 5}, queue="gpu"
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "evaluate"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"params": {"kind": "train", "examples": []}}, "params.train.examples"),
        ({"params": {"kind": "dance"}}, "params"),
        ({"id": "..", "params": train_params(2)}, "id"),
        ({"params": train_params(2), "priority": 3}, "priority"),
        ({"params": {"kind": "evaluate", "checkpoint": "ck1", "benchmark": "nonsense"}}, "params.benchmark"),
        ({"params": {**train_params(2), "tiny": {"hiden": 64}}}, "params.train.tiny"),
        ({"params": {**train_params(2), "lr": 0}}, "params.train.lr"),
        ({"params": {**train_params(2), "max_length": 4}}, "params.train.max_length"),
    ],
)
def test_bad_input_is_422_naming_the_field(api, body, field):
    response = api.post("/v1/jobs", json=body)
    assert response.status_code == 422
    assert error(response)["message"].startswith(field)


def test_knobs_left_to_the_base_are_accepted(api):
    params = train_params(2, lr=None, batch_size=None, max_length=None)
    assert post(api, params, "base-knobs").status_code == 201


def test_get_and_list_jobs_with_filters(api):
    post(api, train_params(8), "listed")
    assert api.get("/v1/jobs/listed").json()["progress"]["stage"] == "queued"
    assert api.get("/v1/jobs/missing").status_code == 404
    queued_train = api.get("/v1/jobs", params={"status": "queued", "kind": "train"}).json()
    assert "listed" in {j["id"] for j in queued_train}
    assert {j["kind"] for j in queued_train} == {"train"}
    assert api.get("/v1/jobs", params={"status": "sleeping"}).status_code == 422


def test_cancel_of_a_queued_job_is_immediate(api):
    post(api, train_params(8), "to-cancel")
    response = api.delete("/v1/jobs/to-cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert api.delete("/v1/jobs/never-was").status_code == 404


def test_a_long_poll_answers_when_the_job_ends_and_else_after_its_wait(api):
    post(api, train_params(8), "long-polled")
    held = api.get("/v1/jobs/long-polled", params={"wait": 0.3})
    assert held.json()["status"] == "queued"  # nothing happened: the job as it is, after the wait
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(api.get, "/v1/jobs/long-polled", params={"wait": 20})
        time.sleep(0.5)  # the long poll is in flight (if not, it sees the end at once: the same answer)
        assert api.delete("/v1/jobs/long-polled").json()["status"] == "cancelled"
        answer = waiting.result(timeout=25)
    assert answer.json()["status"] == "cancelled"  # without waiting it would have said "queued"
    too_long = api.get("/v1/jobs/long-polled", params={"wait": 31})
    assert too_long.status_code == 422
    assert error(too_long)["message"].startswith("wait")


def test_checkpoints_list_only_complete_ones(api):
    names = [c["name"] for c in api.get("/v1/checkpoints").json()]
    assert names == ["ck1"]
    one = api.get("/v1/checkpoints/ck1").json()
    assert one["meta"]["metrics"] == {"train_loss": 0.1}
    assert api.get("/v1/checkpoints/.ck2.tmp-1234").status_code == 404
    assert api.get("/v1/checkpoints/nope").status_code == 404


def test_generate_with_unknown_checkpoint_is_404(api):
    response = api.post("/v1/generate", json={"checkpoint": "nope", "problems": predict_problems(1)})
    assert response.status_code == 404


def test_checkpoint_meta_file_name_matches_the_library():
    from student.modeling import META_FILE as LIBRARY_META_FILE

    assert META_FILE == LIBRARY_META_FILE


def test_broker_outage_is_503_and_the_job_fails_with_the_reason(state, tmp_path):
    dead_broker = f"redis://127.0.0.1:{free_port()}/0"
    env = student_env(tmp_path, dead_broker, f"sqlite:///{tmp_path / 'student.db'}")
    with running_service("fdd-student-api", env, tmp_path / "api.log", "FDD_STUDENT_PORT") as url:
        body = {"id": "lost", "params": train_params(4)}
        response = httpx.post(f"{url}/v1/jobs", json=body, headers=SERVICE_AUTH, timeout=60)
        job = httpx.get(f"{url}/v1/jobs/lost", headers=SERVICE_AUTH).json()
    assert response.status_code == 503
    assert job["status"] == "failed"
    assert job["error"].startswith("could not queue the job")


def test_client_round_trip_and_errors(api):
    async def scenario() -> None:
        async with StudentClient(str(api.base_url), timeout=30, token=SERVICE_TOKEN) as client:
            body = JobCreate.model_validate({"params": train_params(4)})
            created = await client.create_job(body)
            assert created.status == JobStatus.QUEUED
            assert len(created.id) == 32  # the client names the job so that a retried POST is idempotent
            assert (await client.get_job(created.id)).id == created.id
            cancelled = await client.wait_job(
                (await client.cancel_job(created.id)).id, poll_s=0.1, timeout=10
            )
            assert cancelled.status == JobStatus.CANCELLED
            assert [c.name for c in await client.checkpoints()] == ["ck1"]
            assert await client.ready()
            with pytest.raises(StudentError) as caught:
                await client.generate(
                    GenerateRequest.model_validate({"checkpoint": "x", "problems": predict_problems(1)})
                )
            assert (caught.value.status, caught.value.code) == (404, "checkpoint_not_found")

    asyncio.run(scenario())


def test_client_retries_5xx_then_reports_4xx():
    calls: list[str] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if len(calls) < 3:
            return httpx.Response(503, json={"error": {"message": "broker down", "type": "unavailable"}})
        return httpx.Response(
            409, json={"error": {"message": "kind clash", "type": "conflict", "code": "job_kind_conflict"}}
        )

    async def scenario() -> StudentError:
        transport = httpx.MockTransport(upstream)
        async with StudentClient("http://student", transport=transport, backoff_max_s=0.01) as client:
            with pytest.raises(StudentError) as caught:
                await client.create_job(JobCreate.model_validate({"id": "j", "params": train_params(2)}))
            return caught.value

    failure = asyncio.run(scenario())
    assert len(calls) == 3
    assert (failure.status, failure.code, failure.message) == (409, "job_kind_conflict", "kind clash")


@pytest.mark.parametrize("queue", ["x/y", "nope"])
def test_an_unknown_queue_is_422_listing_the_known_ones(api, queue):
    response = post(api, train_params(4), f"queue-{queue.replace('/', '-')}", queue=queue)
    assert response.status_code == 422, response.text
    assert error(response)["message"] == f"queue: unknown queue {queue!r}; known: cpu, gpu"
    assert api.get(f"/v1/jobs/queue-{queue.replace('/', '-')}").status_code == 404  # nothing stored


def test_host_files_outside_the_roots_get_one_refusal_whether_they_exist_or_not(api, tmp_path):
    (tmp_path / "valid.jsonl").write_text('{"id": "a", "question": "What is 1 + 1?", "answer": 2}\n')
    (tmp_path / "notjson.jsonl").write_text("root:x:0:0:root\n")
    bodies = set()
    for path in ("valid.jsonl", "notjson.jsonl", "missing.jsonl"):
        params = {"kind": "evaluate", "checkpoint": "ck1", "benchmark": f"jsonl:{tmp_path / path}"}
        response = post(api, params)
        assert response.status_code == 422, response.text
        bodies.add(response.text)
    assert len(bodies) == 1
    assert error(response)["code"] == "reference_refused"
    models = {post(api, train_params(4, base_model=m)).text for m in ("/etc", str(tmp_path), "/nope/x")}
    assert len(models) == 1
    assert json.loads(models.pop())["error"]["message"].startswith("params.base_model: refused:")


def test_nul_characters_and_non_finite_numbers_are_422_naming_the_field(api):
    params = train_params(4)
    params["examples"][2]["question"] = "Tom has\u0000 3 apples."
    response = post(api, params, "nul-job")
    assert response.status_code == 422
    assert error(response)["message"].startswith("params.examples.2.question: must not contain NUL")
    assert api.get("/v1/jobs/nul-job").status_code == 404
    assert api.get("/v1/jobs/a%00b").status_code == 422
    assert api.delete("/v1/jobs/a%00b").status_code == 422
    assert error(api.get("/v1/jobs", params={"kind": "\u0000"}))["message"].startswith("kind: ")
    problem = '{"id": "p", "question": "q", "gold": 1e999}'
    body = f'{{"params": {{"kind": "predict", "checkpoint": "ck1", "problems": [{problem}]}}}}'
    response = api.post("/v1/jobs", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert error(response)["message"].startswith("params.problems.0.gold: must be a finite number")
