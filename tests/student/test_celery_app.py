"""The Celery plumbing with a real worker process: on Redis, and on the server-less default."""

from __future__ import annotations

from pathlib import Path

import pytest

from student.celery_app import FILESYSTEM_POLL_S, make_celery
from student.settings import StudentSettings
from tests.fixtures.processes import running_worker
from tests.fixtures.servers import fresh_redis_db


def ping_through_worker(env: dict[str, str], settings: StudentSettings, log: Path) -> dict[str, object]:
    app = make_celery(settings)
    with running_worker(env, log) as worker:
        result = app.send_task("student.ping", args=["hello"], queue="cpu").get(timeout=60)
        assert worker.alive(), worker.logs()
    return result


def test_worker_answers_over_redis(tmp_path: Path) -> None:
    with fresh_redis_db() as url:
        env = {"FDD_STUDENT_REDIS_URL": url, "FDD_STATE_DIR": str(tmp_path)}
        result = ping_through_worker(env, StudentSettings(redis_url=url), tmp_path / "worker.log")
    assert result["pong"] == "hello"
    assert isinstance(result["pid"], int)


def test_worker_answers_without_any_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FDD_STATE_DIR", str(tmp_path))
    from fdd.config import core_settings

    core_settings.cache_clear()
    try:
        env = {"FDD_STATE_DIR": str(tmp_path), "FDD_STUDENT_REDIS_URL": ""}
        result = ping_through_worker(env, StudentSettings(redis_url=None), tmp_path / "worker.log")
    finally:
        core_settings.cache_clear()
    assert result["pong"] == "hello"
    assert (tmp_path / "celery" / "queue").is_dir()
    # a worker looks for messages every FILESYSTEM_POLL_S, not kombu's default second (a job hand-off)
    with make_celery(StudentSettings(redis_url=None)).connection_for_read() as conn:
        assert conn.transport.polling_interval == FILESYSTEM_POLL_S < 1.0
    # kombu keeps its exchange table in the state directory, not in the worker's working directory.
    assert list((tmp_path / "celery" / "control").glob("*.exchange"))
