"""End to end: real teacher (synthetic backend), student API + Celery worker, orchestrator, Postgres, Redis.

Tiny everything: 40 curriculum seed problems of 1-2 steps, k=2, a 32-wide 2-layer student trained for a few
dozen steps. One test runs two rounds to the end, paused and resumed through the admin API on the way; one
kills the orchestrator (SIGKILL) in the middle of GENERATE and checks that the restarted one finishes
without duplicate problems or repeated teacher calls, then cancels a second run while its student job
trains.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from tests.fixtures.processes import SERVICE_AUTH
from tests.fixtures.stack import Stack, running_stack, wait_for
from tests.fixtures.student_stack import TINY

pytestmark = [pytest.mark.slow, pytest.mark.timeout(480)]  # a loaded 2-core machine is slow

TERMINAL = {"done", "failed", "cancelled"}


def config(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "e2e",
        "seed": {"curriculum": {"n": 40, "steps": [1, 2], "seed": 3}},
        "rounds": 2,
        "teacher": {"k": 2, "k_variants": 3, "min_agree": 2, "n_complex": 1, "n_similar": 1},
        "student": {"tiny": TINY, "max_steps": 40, "batch_size": 16, "train_budget_examples": 2000},
        "evaluation": {"benchmarks": [], "curriculum_test": {"n": 20, "steps": [1, 2, 3], "seed": 1}},
        "leakage": {"benchmarks": ["svamp"], "threshold": 0.6},
        **overrides,
    }


def create(api: httpx.Client, **overrides: Any) -> int:
    response = api.post("/v1/runs", json=config(**overrides))
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def run_state(api: httpx.Client, run_id: int) -> dict[str, Any]:
    return api.get(f"/v1/runs/{run_id}").json()


def finish(stack: Stack, api: httpx.Client, run_id: int, timeout: float = 240) -> dict[str, Any]:
    run = wait_for(
        lambda: (r := run_state(api, run_id))["status"] in TERMINAL and r, timeout, "the run", stack
    )
    assert run["status"] == "done", f"{run}\n{stack.logs()}"
    return run


def teacher_usage(stack: Stack, run_id: int) -> dict[str, dict[str, int]]:
    out = {}
    for label in (f"run{run_id}-init", f"run{run_id}-r0", f"run{run_id}-r1"):
        response = httpx.get(f"{stack.teacher_url}/v1/usage", params={"label": label}, headers=SERVICE_AUTH)
        totals = response.json()["totals"]
        out[label.split("-")[1]] = {"calls": totals["calls"], "cache_hits": totals["cache_hits"]}
    return out


def teacher_cache_size(stack: Stack) -> int:
    """Rows in the teacher's response cache (its SQLite file in the shared state directory)."""
    with sqlite3.connect(stack.state / "teacher.db") as conn:
        return int(conn.execute("SELECT count(*) FROM teacher_cache").fetchone()[0])


def test_two_round_run_completes(tmp_path: Path):
    with running_stack(tmp_path) as stack, stack.api() as api:
        run_id = create(api)
        wait_for(lambda: run_state(api, run_id)["stage"] == "train", 120, "TRAIN", stack)
        assert api.post(f"/v1/runs/{run_id}/pause").json()["status"] == "paused"
        assert run_state(api, run_id)["stage"] == "train"
        assert api.post(f"/v1/runs/{run_id}/resume").json()["status"] == "running"
        run = finish(stack, api, run_id)
        usage = teacher_usage(stack, run_id)
    assert [r["index"] for r in run["rounds"]] == [0, 1, 2]
    assert all(r["status"] == "done" for r in run["rounds"])
    first = run["rounds"][0]["metrics"]
    assert sum(first["labels"].values()) == 40
    assert first["evaluations"]["curriculum-test"]["n"] == 20
    assert sum(first["created_by_origin"].values()) > 0
    assert run["problems"]["seed"] == 40
    assert usage["init"]["calls"] == 40 * 2  # every seed problem's k samples, paid once
    assert usage["init"]["cache_hits"] == 0


def cancel_during_training(stack: Stack, api: httpx.Client) -> None:
    """A second run (its seeds' rationales come from the teacher's cache) is cancelled while it trains."""
    run_id = create(api, rounds=1, student={"tiny": TINY, "max_steps": 5000, "batch_size": 16})
    job_url = f"{stack.student_url}/v1/jobs/run{run_id}-r0-train-a0"

    def job_status() -> str | None:
        response = httpx.get(job_url, headers=SERVICE_AUTH)
        return response.json()["status"] if response.status_code == 200 else None

    wait_for(lambda: job_status() == "running", 120, "the train job running", stack)
    assert api.post(f"/v1/runs/{run_id}/cancel").json()["status"] == "cancelled"
    wait_for(lambda: job_status() == "cancelled", 60, "the train job cancelled", stack)
    assert run_state(api, run_id)["status"] == "cancelled"


def _generate_half_done(api: httpx.Client, run_id: int) -> bool:
    run = run_state(api, run_id)
    progress = run["progress"].get("generate", {})
    return run["stage"] == "generate" and 0 < progress.get("done", 0) < progress.get("total", 0)


def test_killed_orchestrator_resumes_generate_without_duplicates_or_repeated_calls(tmp_path: Path):
    overrides = {"FDD_ORCHESTRATOR_DRIVER_TEACHER_CHUNK": "4", "FDD_ORCHESTRATOR_DRIVER_CHUNKS_PER_STEP": "1"}
    with running_stack(tmp_path, **overrides) as stack, stack.api() as api:
        run_id = create(api, rounds=1)
        wait_for(lambda: _generate_half_done(api, run_id), 200, "GENERATE half done", stack)
        stack.kill_orchestrator()
        stack.start_orchestrator()
        run = finish(stack, api, run_id)
        usage = teacher_usage(stack, run_id)
        cached_samples = teacher_cache_size(stack)
        engine = sa.create_engine(stack.orchestrator_env["FDD_ORCHESTRATOR_DATABASE_URL"])
        with engine.connect() as conn:
            duplicates = conn.execute(sa.text(
                "SELECT count(*) FROM (SELECT parent_id, origin, meta->>'variant_index' FROM problems "
                "WHERE run_id = :r AND parent_id IS NOT NULL GROUP BY 1, 2, 3 HAVING count(*) > 1) d"
            ), {"r": run_id}).scalar()  # fmt: skip
            items = conn.execute(sa.text(
                "SELECT count(*), count(DISTINCT (problem_id, kind)) FROM work_items "
                "WHERE run_id = :r AND stage = 'generate'"
            ), {"r": run_id}).one()  # fmt: skip
        engine.dispose()
        cancel_during_training(stack, api)
    assert run["rounds"][1]["status"] == "done"
    assert duplicates == 0
    assert items[0] == items[1] > 0
    # Requests re-sent after the restart are answered from the teacher's cache: the paid upstream calls
    # equal the distinct samples the teacher holds, i.e. no sample was paid twice.
    assert usage["init"] == {"calls": 80, "cache_hits": 0}
    assert usage["r0"]["calls"] > 0
    assert usage["init"]["calls"] + usage["r0"]["calls"] + usage["r1"]["calls"] == cached_samples
