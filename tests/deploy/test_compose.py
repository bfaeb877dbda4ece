"""What can be checked of the compose file without a Docker engine: it parses, every service runs an
entry point the distribution declares, every fdd variable it sets is a real setting, healthchecks hit
``/readyz``, the state lives in named volumes the image's user owns, every variable it reads is in
``.env.example`` and the README's teacher variables pass through; ``docker-compose config`` passes with
``.env.example`` when docker-compose is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from fdd.config import CoreSettings
from orchestrator.settings import OrchestratorSettings
from student.settings import StudentSettings
from teacher.settings import TeacherSettings

REPO = Path(__file__).resolve().parents[2]
SETTINGS = {
    "FDD_TEACHER_": TeacherSettings,
    "FDD_STUDENT_": StudentSettings,
    "FDD_ORCHESTRATOR_": OrchestratorSettings,
    "FDD_": CoreSettings,
}
APP_SERVICES = ["teacher", "student-api", "student-worker", "orchestrator", "student-worker-gpu"]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def entry_points() -> set[str]:
    return set(tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"])


def test_stack_has_every_service(compose: dict) -> None:
    assert {"postgres", "redis", *APP_SERVICES, "vllm"} <= set(compose["services"])
    assert compose["services"]["student-worker-gpu"]["profiles"] == ["gpu"]
    assert compose["services"]["vllm"]["profiles"] == ["gpu"]


@pytest.mark.parametrize("service", APP_SERVICES)
def test_command_is_a_declared_entry_point(compose: dict, service: str) -> None:
    command = compose["services"][service]["command"]
    assert command[0] in entry_points()


def shared_variables() -> set[str]:
    """Variables every service reads under one name (a field's alias, e.g. FDD_SERVICE_TOKEN)."""
    return {
        field.validation_alias
        for cls in SETTINGS.values()
        for field in cls.model_fields.values()
        if isinstance(field.validation_alias, str)
    }


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_fdd_variable_is_a_real_setting(compose: dict, service: str) -> None:
    env = compose["services"][service]["environment"]
    assert env, f"{service} sets no environment"
    for name in set(env) - shared_variables():
        prefix = next(p for p in SETTINGS if name.startswith(p))
        field = name[len(prefix) :].lower()
        assert field in SETTINGS[prefix].model_fields, f"{service}: {name} is not a setting of {prefix}*"


@pytest.mark.parametrize("service", ["teacher", "student-api", "orchestrator"])
def test_healthcheck_hits_readyz_on_the_service_port(compose: dict, service: str) -> None:
    spec = compose["services"][service]
    port = next(v for k, v in spec["environment"].items() if k.endswith("_PORT"))
    probe = " ".join(spec["healthcheck"]["test"])
    assert f"127.0.0.1:{port}/readyz" in probe


def test_state_lives_in_named_volumes(compose: dict) -> None:
    volumes = set(compose["volumes"])
    assert {"pgdata", "artifacts"} <= volumes
    mounts = {
        m.split(":")[0] for s in ("student-api", "student-worker") for m in compose["services"][s]["volumes"]
    }
    assert "artifacts" in mounts
    assert "pgdata" in {m.split(":")[0] for m in compose["services"]["postgres"]["volumes"]}


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_service_gets_the_service_token_and_runs_in_production(compose: dict, service: str) -> None:
    env = compose["services"][service]["environment"]
    assert env["FDD_SERVICE_TOKEN"].startswith("${FDD_SERVICE_TOKEN:?"), (
        f"{service}: the token is not required"
    )
    prefix = (
        "FDD_ORCHESTRATOR_"
        if service == "orchestrator"
        else "FDD_TEACHER_"
        if service == "teacher"
        else "FDD_STUDENT_"
    )
    assert env[f"{prefix}ENVIRONMENT"] == "production", f"{service}: a placeholder token would be accepted"


def test_services_wire_to_each_other(compose: dict) -> None:
    orchestrator = compose["services"]["orchestrator"]["environment"]
    assert orchestrator["FDD_ORCHESTRATOR_TEACHER_URL"] == "http://teacher:8001"
    assert orchestrator["FDD_ORCHESTRATOR_STUDENT_URL"] == "http://student-api:8002"
    for name in ("student-api", "student-worker"):
        assert compose["services"][name]["environment"]["FDD_STUDENT_REDIS_URL"].startswith("redis://redis:")


def test_workers_start_warm(compose: dict) -> None:
    for name in ("student-worker", "student-worker-gpu"):
        assert compose["services"][name]["environment"]["FDD_STUDENT_PRELOAD_LIBRARY"] == "true", name


def test_dockerfile_targets_exist() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    targets = {line.split(" AS ")[1].strip() for line in dockerfile.splitlines() if " AS " in line}
    assert {"service", "student", "student-gpu"} <= targets


def test_every_interpolated_variable_is_in_env_example() -> None:
    used = set(re.findall(r"\$\{([A-Z_0-9]+)", (REPO / "docker-compose.yml").read_text()))
    example = (REPO / ".env.example").read_text()
    defined = set(re.findall(r"^([A-Z_0-9]+)=", example, flags=re.MULTILINE))
    assert used <= defined, f"missing from .env.example: {sorted(used - defined)}"


def test_teacher_variables_of_the_readme_pass_through(compose: dict) -> None:
    readme = (REPO / "README.md").read_text()
    named = set(re.findall(r"^export (FDD_TEACHER_[A-Z_]+)=", readme, flags=re.MULTILINE))
    assert {"FDD_TEACHER_OPENAI_API_KEY", "FDD_TEACHER_PRICES"} <= named
    env = compose["services"]["teacher"]["environment"]
    for name in named:
        assert str(env.get(name, "")).startswith(f"${{{name}"), f"teacher: {name} is not passed through"


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_writable_mount_belongs_to_the_image_user(compose: dict, service: str) -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    owned = re.findall(r"chown -R fdd(?::fdd)? (\S+)", dockerfile)
    created = {p for line in re.findall(r"mkdir -p ([^&\n]+)", dockerfile) for p in line.split()}
    for mount in compose["services"][service].get("volumes", []):
        if mount.endswith(":ro"):
            continue
        target = mount.removesuffix(":rw").rsplit(":", 1)[1]  # the source may hold ${VAR:-default}
        assert target in created, f"{service}: {target} is not created in the image"
        assert any(target.startswith(root) for root in owned), f"{service}: {target} is not owned by fdd"


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose is not installed")
def test_docker_compose_config_passes_with_the_example_env() -> None:
    for profile in ([], ["--profile", "gpu"]):
        result = subprocess.run(
            ["docker-compose", "--env-file", ".env.example", *profile, "config", "-q"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
