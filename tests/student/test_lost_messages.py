"""A broker restart without persistence loses the messages of queued jobs; the student sends them again.

The broker is a private ``redis-server`` (no RDB, no AOF) on a free port, so restarting it touches no
other test's Redis. Jobs are submitted while no worker runs, the broker is killed and started empty, the
API's reaper sends every job still queued past ``FDD_STUDENT_RESEND_QUEUED_AFTER_S`` again (more than
once, so duplicates wait in the new broker), and only then a worker starts: every job finishes once, in
one attempt, with one checkpoint.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import redis

from tests.fixtures.processes import SERVICE_AUTH, Proc, free_port, running_service, running_worker, spawn
from tests.fixtures.servers import fresh_postgres_database
from tests.fixtures.student_stack import finished, student_env, train_params, wait_for

pytestmark = pytest.mark.slow
JOBS = ("lost-0", "lost-1", "lost-2")


@contextmanager
def private_redis(port: int, workdir: Path, name: str) -> Iterator[Proc]:
    """A ``redis-server`` on ``port`` that keeps nothing on disk; stopped when the block ends."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (apt-get install redis-server)")
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    proc = spawn([*args, "--dir", str(workdir)], {}, workdir / f"{name}.log")
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or not proc.alive():
                raise RuntimeError(f"redis-server did not start:\n{proc.logs()}") from None
            time.sleep(0.1)
    try:
        yield proc
    finally:
        proc.kill()


def queued_messages(port: int) -> int:
    return int(redis.Redis(port=port).llen("cpu"))


def wait_until(condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_queued_jobs_survive_a_broker_restart_and_each_runs_once(tmp_path: Path) -> None:
    port = free_port()
    redis_url = f"redis://127.0.0.1:{port}/0"
    with fresh_postgres_database("fdd_student") as db:
        env = student_env(
            tmp_path, redis_url, db, FDD_STUDENT_RESEND_QUEUED_AFTER_S="2", FDD_STUDENT_REAP_INTERVAL_S="0.5"
        )
        with private_redis(port, tmp_path, "redis-1") as first:
            with running_service("fdd-student-api", env, tmp_path / "api.log", "FDD_STUDENT_PORT") as url:
                api = httpx.Client(base_url=url, timeout=60, headers=SERVICE_AUTH)
                for job_id in JOBS:
                    body = {"id": job_id, "params": train_params(8, epochs=1)}
                    assert api.post("/v1/jobs", json=body).status_code == 201
                assert queued_messages(port) >= len(JOBS)
                first.kill()  # the broker goes, and every message with it
                with private_redis(port, tmp_path, "redis-2"):
                    assert queued_messages(port) == 0
                    # The reaper sends each job again, twice or more: duplicates wait in the new broker.
                    wait_until(lambda: queued_messages(port) >= 2 * len(JOBS), "the jobs to be sent again")
                    with running_worker(env, tmp_path / "worker.log"):
                        jobs = [wait_for(api, job_id, finished, timeout=240) for job_id in JOBS]
                        wait_until(lambda: queued_messages(port) == 0, "the duplicates to be consumed")
                        again = [api.get(f"/v1/jobs/{job_id}").json() for job_id in JOBS]
                api.close()
    assert [job["status"] for job in jobs] == ["succeeded"] * len(JOBS), jobs
    assert [job["attempts"] for job in again] == [1] * len(JOBS)
    assert [job["updated_at"] for job in again] == [job["updated_at"] for job in jobs]  # not run again
    checkpoints = sorted(p.name for p in (tmp_path / "artifacts" / "checkpoints").iterdir())
    assert checkpoints == sorted(JOBS)
    assert "sending it again" in (tmp_path / "api.log").read_text()
