"""The local stack's service token (``fdd up``, ``fdd demo``): a fresh secret per start, passed to every
service, written where the CLI finds it (owner-only) and removed when the stack stops."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from fdd.cli.stack import LocalStack, StackConfig, StackError
from fdd.clients.base import DEV_SERVICE_TOKEN
from tests.fixtures.processes import free_ports


def test_each_stack_gets_its_own_random_token_unless_one_is_given(tmp_path: Path) -> None:
    tokens = {LocalStack(StackConfig(state_dir=tmp_path)).env()["FDD_SERVICE_TOKEN"] for _ in range(3)}
    assert len(tokens) == 3
    assert all(len(t) >= 40 and t != DEV_SERVICE_TOKEN for t in tokens)
    given = LocalStack(StackConfig(state_dir=tmp_path, service_token="chosen"))
    assert given.env()["FDD_SERVICE_TOKEN"] == "chosen"


def test_the_token_file_is_owner_only_while_the_stack_runs_and_removed_at_stop(tmp_path: Path) -> None:
    port = free_ports(3)
    config = StackConfig(state_dir=tmp_path, orchestrator_port=port, teacher_port=port + 1,
                         student_port=port + 2, workers=1,
                         extra_env={"FDD_TEACHER_BACKEND": "no-such-backend"})  # fmt: skip
    stack = LocalStack(config)
    try:
        with pytest.raises(StackError, match="teacher exited"):
            stack.start()
        token_file = tmp_path / "service-token"
        assert token_file.read_text().strip() == stack.env()["FDD_SERVICE_TOKEN"]
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    finally:
        stack.stop()
    assert not (tmp_path / "service-token").exists()


def test_the_stack_starts_its_workers_warm(tmp_path: Path) -> None:
    """Workers import torch and the student library before their first job (FDD_STUDENT_PRELOAD_LIBRARY);
    a run's round-0 training job paid that import otherwise."""
    assert LocalStack(StackConfig(state_dir=tmp_path)).env()["FDD_STUDENT_PRELOAD_LIBRARY"] == "true"
    cold = LocalStack(StackConfig(state_dir=tmp_path, extra_env={"FDD_STUDENT_PRELOAD_LIBRARY": "false"}))
    assert cold.env()["FDD_STUDENT_PRELOAD_LIBRARY"] == "false"
