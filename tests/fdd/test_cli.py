"""The ``fdd`` command line against a real orchestrator process (SQLite, driver off): the commands a user
types, their output, and clear errors for bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from orchestrator.problems.models import Problem
from orchestrator.runs.models import Round, Run
from tests.fixtures.problem_family import build_family
from tests.fixtures.processes import running_service

FDD = str(Path(sys.executable).parent / "fdd")
TOKEN = "cli-test-token"


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli-state")


@pytest.fixture(scope="module")
def orchestrator(state: Path) -> Iterator[str]:
    env = {"FDD_STATE_DIR": str(state), "FDD_ORCHESTRATOR_DRIVER_ENABLED": "false",
           "FDD_ORCHESTRATOR_ADMIN_TOKEN": TOKEN, "FDD_ORCHESTRATOR_DATABASE_URL": ""}  # fmt: skip
    with running_service("fdd-orchestrator", env, state / "orchestrator.log", "FDD_ORCHESTRATOR_PORT") as url:
        yield url


def fdd(url: str, *args: str, token: str = TOKEN) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FDD_CLI_URL": url, "FDD_CLI_TOKEN": token, "COLUMNS": "200"}
    return subprocess.run([FDD, *args], env=env, capture_output=True, text=True, timeout=120)


def test_run_lifecycle_through_the_cli(orchestrator: str, tmp_path: Path) -> None:
    config = tmp_path / "run.yaml"
    config.write_text("name: cli-run\nrounds: 2\nseed: {curriculum: {n: 30, steps: [1, 2]}}\n")
    created = fdd(orchestrator, "run", "create", str(config))
    assert created.returncode == 0, created.stdout + created.stderr
    assert "created run" in created.stdout
    run_id = created.stdout.split("created run")[1].split()[0]

    listed = fdd(orchestrator, "run", "list")
    assert "cli-run" in listed.stdout
    status = fdd(orchestrator, "run", "status", run_id)
    assert "pending" in status.stdout
    paused = fdd(orchestrator, "run", "pause", run_id)
    assert f"run {run_id}: paused" in paused.stdout
    cancelled = fdd(orchestrator, "run", "cancel", run_id)
    assert f"run {run_id}: cancelled" in cancelled.stdout
    again = fdd(orchestrator, "run", "resume", run_id)
    assert again.returncode == 1
    assert "error" in again.stderr

    out = tmp_path / "export.jsonl"
    exported = fdd(orchestrator, "run", "export", run_id, "-o", str(out))
    assert exported.returncode == 0, exported.stdout
    assert out.exists()
    assert f"rows written to {out}" in exported.stdout
    card = json.loads((tmp_path / "export.card.json").read_text())
    assert (card["run"]["id"], card["rows"], card["config"]["name"]) == (int(run_id), 0, "cli-run")


def test_export_writes_a_data_card_beside_the_jsonl(orchestrator: str, state: Path, tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{state / 'orchestrator.db'}")
    with sessionmaker(engine).begin() as session:
        family = build_family(session)
        run = session.get(Run, family.run_id)
        run.config = {"name": "lineage", "leakage": {"threshold": 0.6, "n": 3}}
        session.get(Problem, family.child).leak_score = 0.4
        for rnd in session.query(Round).filter_by(run_id=family.run_id):
            rnd.metrics = {
                "teacher": {"calls": 5, "cache_hits": 1, "prompt_tokens": 100, "completion_tokens": 50,
                            "cost_usd": 0.01},
                "leakage": {"scored": 1, "mean": 0.4, "max": 0.4},
                "rejections": {"leakage": 1, "duplicate": 2},
            }  # fmt: skip
    engine.dispose()
    out = tmp_path / "set.jsonl"
    exported = fdd(orchestrator, "run", "export", str(family.run_id), "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    assert "4 rows written" in exported.stdout
    card = json.loads((tmp_path / "set.card.json").read_text())
    assert (card["file"], card["rows"], card["problems"]) == ("set.jsonl", 4, 4)
    assert card["rows_by_origin"] == {"complex": 1, "seed": 2, "similar": 1}
    assert card["rows_by_label"] == {"easy": 1, "hard": 2, "unlabelled": 1}
    leakage = card["leakage"]
    assert (leakage["threshold"], leakage["problems_scored"], leakage["max_score"]) == (0.6, 1, 0.4)
    assert (leakage["problems_at_or_above_threshold"], leakage["rejected_for_leakage"]) == (0, 2)
    teacher = card["teacher"]
    assert (teacher["usage"]["calls"], teacher["usage"]["cost_usd"]) == (10, 0.02)
    assert {"backend": "synthetic", "model": "synth-1", "prompt_version": "complex-v1", "rows": 1} in (
        teacher["rationales_by_teacher"]
    )
    assert card["config"]["leakage"]["n"] == 3


def test_invalid_config_names_the_field(orchestrator: str, tmp_path: Path) -> None:
    config = tmp_path / "bad.json"
    config.write_text(json.dumps({"name": "bad", "rounds": 11}))
    result = fdd(orchestrator, "run", "create", str(config))
    assert result.returncode == 1
    assert "rounds" in result.stderr


def test_data_import_of_a_generated_curriculum(orchestrator: str) -> None:
    result = fdd(orchestrator, "data", "import", "cli-seeds", "--curriculum", "25", "--steps", "1,2")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "25 problems" in result.stdout
    both = fdd(orchestrator, "data", "import", "x", "--curriculum", "5", "--benchmark", "svamp")
    assert both.returncode == 1
    assert "exactly one" in both.stderr


def test_wrong_token_is_a_clear_error(orchestrator: str) -> None:
    result = fdd(orchestrator, "run", "status", "1", token="nope")
    assert result.returncode == 1
    assert "401" in result.stderr


def test_version_and_dataset_list(orchestrator: str) -> None:
    version = fdd(orchestrator, "--version")
    assert version.returncode == 0
    assert version.stdout.startswith("fdd ")
    fdd(orchestrator, "data", "import", "listed-seeds", "--curriculum", "5", "--steps", "1")
    listed = fdd(orchestrator, "data", "list")
    assert listed.returncode == 0, listed.stderr
    assert "listed-seeds" in listed.stdout


def test_student_url_follows_the_orchestrator_url() -> None:
    from fdd.cli.settings import CliSettings

    assert CliSettings(url="http://stack.example:9000").student_base_url() == "http://stack.example:9002"
    assert CliSettings(url="http://h:1", student_url="http://s:5").student_base_url() == "http://s:5"


def test_the_service_token_comes_from_the_environment_then_from_fdd_ups_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fdd.cli.settings import CliSettings
    from fdd.clients.base import DEV_SERVICE_TOKEN

    monkeypatch.delenv("FDD_SERVICE_TOKEN", raising=False)
    written = tmp_path / "service-token"
    assert CliSettings(service_token_file=written).service_token_value() == DEV_SERVICE_TOKEN
    written.write_text("generated-by-fdd-up\n")
    assert CliSettings(service_token_file=written).service_token_value() == "generated-by-fdd-up"
    monkeypatch.setenv("FDD_SERVICE_TOKEN", "exported")
    assert CliSettings(service_token_file=written).service_token_value() == "exported"


def test_status_shows_the_warnings_of_a_round(orchestrator: str, state: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{state / 'orchestrator.db'}")
    with sessionmaker(engine).begin() as session:
        family = build_family(session)
        session.get(Run, family.run_id).config = {"name": "warned"}
        first = session.query(Round).filter_by(run_id=family.run_id, index=1).one()
        first.metrics = {"warnings": ["most answers none: 91 % no_answer (542 of 595 classified problems)"]}
    engine.dispose()
    status = fdd(orchestrator, "run", "status", str(family.run_id))
    assert status.returncode == 0, status.stderr
    assert (
        "warning, round 1: most answers none: 91 % no_answer (542 of 595 classified problems)"
        in status.stdout
    )
