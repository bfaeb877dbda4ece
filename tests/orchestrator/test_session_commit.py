"""A write is committed before its response is sent: a client that reads right after a 201 sees its row.

Regression: FastAPI runs a yield dependency's exit code after the response by default, so the session
committed after the client had its answer and an immediate GET could 404.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from orchestrator.db import DbSession
from tests.fixtures.processes import running_service


def test_session_dependency_ends_before_the_response() -> None:
    depends = DbSession.__metadata__[0]
    assert depends.scope == "function"


def test_created_run_is_readable_at_once_over_http(tmp_path: Path) -> None:
    env = {
        "FDD_STATE_DIR": str(tmp_path),
        "FDD_ORCHESTRATOR_DRIVER_ENABLED": "false",
        "FDD_ORCHESTRATOR_ADMIN_TOKEN": "t0ken-for-tests",
        "FDD_ORCHESTRATOR_DATABASE_URL": "",
    }
    with running_service("fdd-orchestrator", env, tmp_path / "orch.log", "FDD_ORCHESTRATOR_PORT") as url:
        headers = {"Authorization": "Bearer t0ken-for-tests"}
        with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
            for i in range(10):
                created = client.post("/v1/runs", json={"name": f"r{i}", "rounds": 1})
                assert created.status_code == 201, created.text
                assert client.get(f"/v1/runs/{created.json()['id']}").status_code == 200
