"""Every failure a user can expect from the ``fdd`` command line is one or two lines and exit code 1 —
against a closed port, a real orchestrator process (wrong token, unknown run, conflict, invalid config),
broken files, a real student API (unknown checkpoint) and a run that fails — and ``--debug`` brings the
traceback back."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.processes import SERVICE_TOKEN, free_port, free_ports, running_service
from tests.fixtures.student_stack import student_env

FDD = str(Path(sys.executable).parent / "fdd")
TOKEN = "cli-errors-token"


def fdd(url: str, *args: str, token: str = TOKEN, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "FDD_CLI_URL": url, "FDD_CLI_TOKEN": token, "FDD_SERVICE_TOKEN": SERVICE_TOKEN,
            "COLUMNS": "100", **env}  # fmt: skip
    return subprocess.run([FDD, *args], env=full, capture_output=True, text=True, timeout=180)


def lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]


def assert_short_error(result: subprocess.CompletedProcess[str], *words: str, most: int = 2) -> None:
    out = lines(result)
    assert result.returncode == 1, out
    assert 1 <= len(out) <= most, out
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in "\n".join(out), out


@pytest.fixture(scope="module")
def orchestrator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    state = tmp_path_factory.mktemp("cli-errors")
    env = {"FDD_STATE_DIR": str(state), "FDD_ORCHESTRATOR_DRIVER_ENABLED": "false",
           "FDD_ORCHESTRATOR_ADMIN_TOKEN": TOKEN, "FDD_ORCHESTRATOR_DATABASE_URL": ""}  # fmt: skip
    with running_service("fdd-orchestrator", env, state / "orchestrator.log", "FDD_ORCHESTRATOR_PORT") as url:
        yield url


@pytest.fixture
def closed_url() -> str:
    return f"http://127.0.0.1:{free_port()}"


@pytest.mark.parametrize(
    "args",
    [
        ["run", "list"],
        ["run", "watch", "1"],
        ["run", "report", "1"],
        ["run", "export", "1"],
        ["data", "import", "x", "--curriculum", "5"],
        ["experiment", "leakage", "1"],
    ],  # fmt: skip
)
def test_unreachable_orchestrator_says_how_to_start_it(closed_url: str, args: list[str]) -> None:
    result = fdd(closed_url, *args)
    assert_short_error(result, f"cannot reach the orchestrator at {closed_url}", "fdd up", "FDD_CLI_URL")


def test_debug_shows_the_traceback(closed_url: str) -> None:
    result = fdd(closed_url, "--debug", "run", "list")
    assert result.returncode != 0
    assert len(lines(result)) > 5


@pytest.mark.parametrize(
    "args", [["run", "list"], ["run", "watch", "1"], ["run", "report", "1"], ["experiment", "leakage", "1"]]
)
def test_wrong_token_names_the_variable(orchestrator: str, args: list[str]) -> None:
    assert_short_error(fdd(orchestrator, *args, token="nope"), "401", "FDD_CLI_TOKEN")


@pytest.mark.parametrize(
    "args", [["run", "watch", "999"], ["run", "status", "999"], ["run", "report", "999"]]
)
def test_unknown_run_is_a_404_line(orchestrator: str, args: list[str]) -> None:
    assert_short_error(fdd(orchestrator, *args), "404")


def test_conflict_and_invalid_config_are_one_line(orchestrator: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "bad", "rounds": 11}')
    assert_short_error(fdd(orchestrator, "run", "create", str(bad)), "422", "rounds")
    good = tmp_path / "run.yaml"
    good.write_text("name: ok\nrounds: 1\nseed: {curriculum: {n: 10, steps: [1]}}\n")
    run_id = fdd(orchestrator, "run", "create", str(good)).stdout.split("created run")[1].split()[0]
    assert fdd(orchestrator, "run", "cancel", run_id).returncode == 0
    assert_short_error(fdd(orchestrator, "run", "resume", run_id), "409")


def test_broken_and_missing_files_are_one_line(orchestrator: str, tmp_path: Path) -> None:
    yaml_file = tmp_path / "broken.yaml"
    yaml_file.write_text("name: x\n  rounds: [1\n")
    assert_short_error(fdd(orchestrator, "run", "create", str(yaml_file)), "not valid YAML", "line 2")
    json_file = tmp_path / "broken.json"
    json_file.write_text('{"name": ')
    assert_short_error(fdd(orchestrator, "run", "create", str(json_file)), "not valid JSON")
    missing = tmp_path / "missing.yaml"
    assert_short_error(fdd(orchestrator, "run", "create", str(missing)), "no such file")
    assert_short_error(fdd(orchestrator, "data", "import", "x", "--jsonl", str(missing)), "no such file")
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"question": "q"}\nnot json\n')
    assert_short_error(fdd(orchestrator, "data", "import", "x", "--jsonl", str(rows)), "line 2")


def test_eval_of_a_missing_checkpoint_and_an_unreachable_student(tmp_path: Path, closed_url: str) -> None:
    # Without FDD_CLI_STUDENT_URL the student is looked for next to the orchestrator (port + 2).
    port = int(closed_url.rsplit(":", 1)[1])
    result = fdd(closed_url, "eval", "nothing-here")
    assert_short_error(result, f"cannot reach the student API at http://127.0.0.1:{port + 2}")
    env = student_env(tmp_path)
    with running_service("fdd-student-api", env, tmp_path / "student.log", "FDD_STUDENT_PORT") as student:
        listed = fdd(closed_url, "checkpoints", "list", FDD_CLI_STUDENT_URL=student)
        assert listed.returncode == 0, lines(listed)
        assert "no checkpoints yet" in listed.stdout
        missing = fdd(closed_url, "eval", str(tmp_path / "nothing-here"), FDD_CLI_STUDENT_URL=student)
        assert_short_error(missing, "404", "nothing-here", "fdd checkpoints list")
        denied = fdd(closed_url, "checkpoints", "list", FDD_CLI_STUDENT_URL=student, FDD_SERVICE_TOKEN="nope")
        assert_short_error(denied, "401", "FDD_SERVICE_TOKEN")


def test_a_failed_run_makes_watch_exit_1_with_its_stage_and_reason(tmp_path: Path, closed_url: str) -> None:
    env = {"FDD_STATE_DIR": str(tmp_path), "FDD_ORCHESTRATOR_ADMIN_TOKEN": TOKEN,
           "FDD_ORCHESTRATOR_DATABASE_URL": "", "FDD_ORCHESTRATOR_TEACHER_URL": closed_url,
           "FDD_ORCHESTRATOR_STUDENT_URL": closed_url, "FDD_ORCHESTRATOR_DRIVER_MAX_ATTEMPTS": "1",
           "FDD_ORCHESTRATOR_DRIVER_INTERVAL_S": "0.2"}  # fmt: skip
    config = tmp_path / "run.yaml"
    config.write_text("name: doomed\nrounds: 1\nseed: {curriculum: {n: 10, steps: [1]}}\n")
    with running_service("fdd-orchestrator", env, tmp_path / "orch.log", "FDD_ORCHESTRATOR_PORT") as url:
        created = fdd(url, "run", "create", str(config), "--watch")
        assert created.returncode == 1, lines(created)
        assert "failed at" in created.stdout
        run_id = created.stdout.split("created run")[1].split()[0]
        watched = fdd(url, "run", "watch", run_id)
    assert watched.returncode == 1
    final = lines(watched)[-1]
    assert f"run {run_id}: failed at" in final
    assert "(round 0): TeacherError" in final


def test_up_refuses_a_taken_port(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1] - 1  # the teacher's port (orchestrator + 1) is the taken one
        result = fdd("http://unused", "up", "--port", str(port), "--state-dir", str(tmp_path))
    assert_short_error(result, f"{port + 1} (teacher)", "already in use", "--port")
    assert not (tmp_path / "logs").exists()  # nothing was started


def test_up_stops_with_one_line_when_a_service_dies(tmp_path: Path) -> None:
    port = free_ports(3)
    result = fdd("http://unused", "up", "--port", str(port), "--state-dir", str(tmp_path),
                 "--workers", "1", FDD_TEACHER_BACKEND="no-such-backend")  # fmt: skip
    assert_short_error(result, "teacher exited with code", "teacher.log")
