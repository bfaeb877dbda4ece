"""Each service starts from its console entry point as a real process and reports ready only when its
dependencies answer: the orchestrator on a real Postgres database, the student API on Redis."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.fixtures.processes import running_service
from tests.fixtures.servers import fresh_postgres_database, fresh_redis_db


def test_orchestrator_is_ready_on_postgres(tmp_path: Path) -> None:
    with (
        fresh_postgres_database() as db_url,
        running_service(
            "fdd-orchestrator",
            {
                "FDD_ORCHESTRATOR_DATABASE_URL": db_url,
                "FDD_ORCHESTRATOR_DRIVER_ENABLED": "false",
                "FDD_STATE_DIR": str(tmp_path),
            },
            tmp_path / "orchestrator.log",
            "FDD_ORCHESTRATOR_PORT",
        ) as url,
    ):
        ready = httpx.get(f"{url}/readyz", timeout=10).json()
        assert ready["checks"]["database"] == "ok"


def test_student_api_is_not_ready_without_its_broker(tmp_path: Path) -> None:
    env = {"FDD_STUDENT_REDIS_URL": "redis://127.0.0.1:1/0", "FDD_STATE_DIR": str(tmp_path)}
    with running_service("fdd-student-api", env, tmp_path / "student.log", "FDD_STUDENT_PORT") as url:
        response = httpx.get(f"{url}/readyz", timeout=15)
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error")


def test_student_api_is_ready_on_redis(tmp_path: Path) -> None:
    with fresh_redis_db() as redis_url:
        env = {"FDD_STUDENT_REDIS_URL": redis_url, "FDD_STATE_DIR": str(tmp_path)}
        with running_service("fdd-student-api", env, tmp_path / "student.log", "FDD_STUDENT_PORT") as url:
            response = httpx.get(f"{url}/readyz", timeout=15)
    assert response.status_code == 200, response.text


def test_teacher_starts_with_the_offline_default(tmp_path: Path) -> None:
    env = {"FDD_STATE_DIR": str(tmp_path)}
    with running_service("fdd-teacher", env, tmp_path / "teacher.log", "FDD_TEACHER_PORT") as url:
        assert httpx.get(f"{url}/readyz", timeout=10).status_code == 200
