"""The service token: the teacher and the student (real processes) answer 401 in the envelope without it,
keep their health probes open, compare it in constant time, and accept what the orchestrator's clients
send; a placeholder token stops any service from starting in production."""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr, ValidationError

from fdd.clients.student import StudentError
from fdd.clients.teacher import TeacherError
from fdd_web.app import install
from orchestrator.driver.clients import build_clients
from orchestrator.settings import OrchestratorSettings
from student.settings import StudentSettings
from teacher.settings import TeacherSettings
from tests.fixtures.processes import SERVICE_AUTH, SERVICE_TOKEN, running_service
from tests.fixtures.student_stack import student_env

WRONG = {"Authorization": "Bearer not-the-token"}


@pytest.fixture(scope="module")
def teacher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    state = tmp_path_factory.mktemp("teacher-auth")
    env = {"FDD_STATE_DIR": str(state), "FDD_TEACHER_EXEC_WORKERS": "1"}
    with running_service("fdd-teacher", env, state / "teacher.log", "FDD_TEACHER_PORT") as url:
        yield url


@pytest.fixture(scope="module")
def student(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    state = tmp_path_factory.mktemp("student-auth")
    env = student_env(state)
    with running_service("fdd-student-api", env, state / "student.log", "FDD_STUDENT_PORT") as url:
        yield url


def assert_401(response: httpx.Response, code: str) -> None:
    assert response.status_code == 401, response.text
    assert response.json() == {"error": {"message": response.json()["error"]["message"],
                                         "type": "unauthorized", "code": code}}  # fmt: skip
    assert response.headers["www-authenticate"] == "Bearer"
    assert SERVICE_TOKEN not in response.text


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/usage"), ("GET", "/v1/backends"), ("POST", "/v1/rationales"), ("GET", "/v1/nowhere")],
)
def test_the_teacher_refuses_requests_without_the_service_token(teacher: str, method: str, path: str) -> None:
    body = {"problems": [{"id": "p", "text": "Add 1 and 2.", "gold": 3}], "k": 1}
    kwargs = {"json": body} if method == "POST" else {}
    assert_401(httpx.request(method, teacher + path, timeout=30, **kwargs), "missing_token")
    assert_401(httpx.request(method, teacher + path, headers=WRONG, timeout=30, **kwargs), "invalid_token")
    basic = {"Authorization": f"Basic {SERVICE_TOKEN}"}  # the right secret in the wrong scheme
    assert_401(httpx.request(method, teacher + path, headers=basic, timeout=30, **kwargs), "missing_token")


def test_the_teacher_answers_with_the_token_and_keeps_health_open(teacher: str) -> None:
    assert httpx.get(f"{teacher}/v1/backends", headers=SERVICE_AUTH, timeout=30).status_code == 200
    assert httpx.get(f"{teacher}/healthz", timeout=30).status_code == 200
    assert httpx.get(f"{teacher}/readyz", timeout=30).status_code == 200


def test_the_student_refuses_requests_without_the_service_token_and_queues_nothing(student: str) -> None:
    job = {"id": "anonymous", "params": {"kind": "evaluate", "checkpoint": "x", "benchmark": "svamp"}}
    assert_401(httpx.post(f"{student}/v1/jobs", json=job, timeout=30), "missing_token")
    assert_401(httpx.post(f"{student}/v1/jobs", json=job, headers=WRONG, timeout=30), "invalid_token")
    for path in ("/v1/jobs", "/v1/jobs/anonymous", "/v1/checkpoints"):
        assert_401(httpx.get(student + path, timeout=30), "missing_token")
    assert_401(httpx.delete(f"{student}/v1/jobs/anonymous", headers=WRONG, timeout=30), "invalid_token")
    assert httpx.get(f"{student}/v1/jobs", headers=SERVICE_AUTH, timeout=30).json() == []


def test_the_student_keeps_health_open(student: str) -> None:
    assert httpx.get(f"{student}/healthz", timeout=30).status_code == 200
    assert httpx.get(f"{student}/readyz", timeout=30).status_code in (200, 503)  # its checks, never 401


def test_the_orchestrators_clients_send_the_configured_token(teacher: str, student: str) -> None:
    async def calls(token: str) -> None:
        settings = OrchestratorSettings(teacher_url=teacher, student_url=student, service_token=token)
        teacher_client, student_client = build_clients(settings)
        try:
            await teacher_client.backends()
            await student_client.list_jobs()
        finally:
            await teacher_client.aclose()
            await student_client.aclose()

    asyncio.run(calls(SERVICE_TOKEN))
    with pytest.raises(TeacherError) as refused:
        asyncio.run(calls("not-the-token"))
    assert (refused.value.status, refused.value.code) == (401, "invalid_token")

    async def student_only() -> None:
        _, client = build_clients(OrchestratorSettings(student_url=student, service_token="nope"))
        async with client:
            await client.checkpoints()

    with pytest.raises(StudentError, match="student error 401"):
        asyncio.run(student_only())


def small_app(token: str, max_body_bytes: int | None = None) -> FastAPI:
    app = FastAPI()
    install(app, "svc", service_token=SecretStr(token), max_body_bytes=max_body_bytes)

    @app.post("/v1/echo")
    async def echo(body: dict[str, float]) -> dict[str, float]:
        return body

    return app


def test_the_token_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    client = TestClient(small_app("the-secret"))
    assert (
        client.post("/v1/echo", json={"a": 1}, headers={"Authorization": "Bearer guess"}).status_code == 401
    )
    assert (
        client.post("/v1/echo", json={"a": 1}, headers={"Authorization": "Bearer the-secret"}).status_code
        == 200
    )
    assert compared == [(b"guess", b"the-secret"), (b"the-secret", b"the-secret")]


def test_an_anonymous_request_is_refused_before_its_body_is_looked_at() -> None:
    client = TestClient(small_app("the-secret", max_body_bytes=1024))
    oversize = client.post("/v1/echo", content=b'{"a": ' + b"1" * 4000 + b"}")
    not_finite = client.post("/v1/echo", content=b'{"a": NaN}', headers={"Content-Type": "application/json"})
    assert (oversize.status_code, not_finite.status_code) == (401, 401)


@pytest.mark.parametrize("settings", [TeacherSettings, StudentSettings, OrchestratorSettings])
@pytest.mark.parametrize("token", ["dev-service-token", "change-me", ""])
def test_a_placeholder_service_token_is_refused_in_production(settings: type, token: str) -> None:
    real = {"admin_token": "a-real-admin-secret"} if settings is OrchestratorSettings else {}
    with pytest.raises(ValidationError, match=r"service_token \(FDD_SERVICE_TOKEN\) must be set"):
        settings(environment="production", service_token=token, **real)
    settings(environment="development", service_token=token, **real)  # fine for local use
    settings(environment="production", service_token="a-real-service-secret", **real)


def test_the_token_comes_from_fdd_service_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FDD_SERVICE_TOKEN", "from-the-environment")
    monkeypatch.setenv("FDD_TEACHER_SERVICE_TOKEN", "not-a-variable-anyone-reads")
    for settings in (TeacherSettings(), StudentSettings(), OrchestratorSettings()):
        assert settings.service_token.get_secret_value() == "from-the-environment"
