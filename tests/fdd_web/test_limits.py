"""Body-size limits on the orchestrator and the student (real processes): an oversize body is a 413 in the
envelope, whether its length is declared or it arrives in chunks, and nothing is stored. (The teacher's
limit: ``tests/teacher/test_api_limits.py``.)"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from orchestrator.settings import OrchestratorSettings
from student.settings import StudentSettings
from tests.fixtures.processes import SERVICE_AUTH, running_service
from tests.fixtures.student_stack import student_env, train_params

LIMIT = 8192
ADMIN = {"Authorization": "Bearer limits-admin-token"}


def assert_413(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text
    error = response.json()["error"]
    assert (error["type"], error["code"]) == ("invalid_request_error", "too_large")
    assert str(LIMIT) in error["message"]


def chunks(body: bytes, size: int = 1024) -> Iterator[bytes]:
    """A body sent without a Content-Length (chunked transfer)."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


@pytest.fixture(scope="module")
def orchestrator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    state = tmp_path_factory.mktemp("orchestrator-limits")
    env = {"FDD_STATE_DIR": str(state), "FDD_ORCHESTRATOR_DRIVER_ENABLED": "false",
           "FDD_ORCHESTRATOR_ADMIN_TOKEN": ADMIN["Authorization"].split()[1],
           "FDD_ORCHESTRATOR_DATABASE_URL": "", "FDD_ORCHESTRATOR_MAX_BODY_BYTES": str(LIMIT)}  # fmt: skip
    with running_service("fdd-orchestrator", env, state / "orchestrator.log", "FDD_ORCHESTRATOR_PORT") as url:
        yield url


@pytest.fixture(scope="module")
def student(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    state = tmp_path_factory.mktemp("student-limits")
    env = student_env(state, FDD_STUDENT_MAX_BODY_BYTES=str(LIMIT))
    with running_service("fdd-student-api", env, state / "student.log", "FDD_STUDENT_PORT") as url:
        yield url


def dataset(n: int) -> dict:
    problems = [
        {"question": f"Tom has {i} apples and buys 3 more. How many now?", "answer": i + 3} for i in range(n)
    ]
    return {"name": f"upload-{n}", "source": "jsonl", "problems": problems}


def test_an_oversize_dataset_upload_is_413_and_stores_nothing(orchestrator: str) -> None:
    with httpx.Client(base_url=orchestrator, headers=ADMIN, timeout=30) as api:
        assert_413(api.post("/v1/datasets", json=dataset(400)))
        assert_413(api.post("/v1/datasets", content=chunks(json.dumps(dataset(400)).encode())))
        assert api.get("/v1/datasets").json()["items"] == []
        assert api.post("/v1/datasets", json=dataset(3)).status_code == 201  # under the limit: as before


def test_an_oversize_job_is_413_and_queues_nothing(student: str) -> None:
    with httpx.Client(base_url=student, headers=SERVICE_AUTH, timeout=30) as api:
        big = {"id": "big", "params": train_params(200)}
        assert_413(api.post("/v1/jobs", json=big))
        assert_413(api.post("/v1/jobs", content=chunks(json.dumps(big).encode())))
        assert api.get("/v1/jobs").json() == []


def test_the_defaults_leave_room_for_the_largest_ordinary_requests() -> None:
    # The student's train jobs carry up to 500,000 examples inline; an uploaded GSM8K train set is ~4 MB.
    assert StudentSettings().max_body_bytes >= 256 * 2**20
    assert 8 * 2**20 <= OrchestratorSettings().max_body_bytes <= 64 * 2**20
