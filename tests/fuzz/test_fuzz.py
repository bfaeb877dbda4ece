"""Fuzz every operation of the three services' OpenAPI specs (schemathesis) on a fresh stack.

The teacher, the student API and the orchestrator run as real processes on fresh Postgres databases and
a flushed Redis database (no Celery worker and no orchestrator driver: this fuzzes the HTTP edge, and
what is queued stays queued). For every operation schemathesis generates a fixed, derandomised number
of valid (``positive``) and invalid (``negative``) requests, sent with the service's credentials, and
each response is checked: never a 5xx, a status the spec documents, a body that matches the spec. The
failures are collected over all operations and reported together, one line each.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.fixtures.data import DATA_DIR
from tests.fixtures.processes import SERVICE_AUTH, running_service
from tests.fixtures.servers import fresh_postgres_database, fresh_redis_db
from tests.fixtures.student_stack import student_env

EXAMPLES = 6  # per operation and generation mode: small and fixed (derandomised), the whole run < 90 s
ADMIN = {"Authorization": "Bearer fuzz-admin-token-7f3a"}
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

pytestmark = pytest.mark.fuzz


@dataclass
class Tally:
    """What one service's fuzz run sent and what failed (``operation  mode: first line``)."""

    operations: int = 0
    cases: int = 0
    server_errors: int = 0
    failures: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Base URLs of a fresh teacher, student API and orchestrator (by service name)."""
    state = tmp_path_factory.mktemp("fuzz")
    common = {"FDD_STATE_DIR": str(state), "FDD_DATA_DIR": str(DATA_DIR), "OMP_NUM_THREADS": "1"}
    with ExitStack() as stack:
        orch_db = stack.enter_context(fresh_postgres_database("fdd_fuzz_orch"))
        student_db = stack.enter_context(fresh_postgres_database("fdd_fuzz_student"))
        redis_url = stack.enter_context(fresh_redis_db())
        teacher = stack.enter_context(
            running_service("fdd-teacher", common, state / "teacher.log", "FDD_TEACHER_PORT")
        )
        student = stack.enter_context(
            running_service(
                "fdd-student-api",
                student_env(state, redis_url, student_db),
                state / "student.log",
                "FDD_STUDENT_PORT",
            )
        )
        orchestrator_env = {
            **common,
            "FDD_ORCHESTRATOR_DATABASE_URL": orch_db,
            "FDD_ORCHESTRATOR_ADMIN_TOKEN": ADMIN["Authorization"].split()[1],
            "FDD_ORCHESTRATOR_TEACHER_URL": teacher,
            "FDD_ORCHESTRATOR_STUDENT_URL": student,
            "FDD_ORCHESTRATOR_DRIVER_ENABLED": "false",
        }
        orchestrator = stack.enter_context(
            running_service(
                "fdd-orchestrator", orchestrator_env, state / "orchestrator.log", "FDD_ORCHESTRATOR_PORT"
            )
        )
        yield {"teacher": teacher, "student": student, "orchestrator": orchestrator}


def fuzz(base_url: str, headers: dict[str, str]) -> Tally:
    """Send ``EXAMPLES`` positive and negative cases to every operation of the spec at ``base_url``."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    tally = Tally()
    for result in schema.get_all_operations():
        operation = result.ok()
        tally.operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz_operation(operation, mode, headers, tally)
    return tally


def fuzz_operation(
    operation: APIOperation, mode: GenerationMode, headers: dict[str, str], tally: Tally
) -> None:
    """Send one operation's cases of one mode; keep its first two failures in ``tally``."""
    failed: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def send(case: schemathesis.Case) -> None:
        tally.cases += 1
        response = case.call(headers=headers, timeout=30)
        tally.server_errors += response.status_code >= 500
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # a failed check (FailureGroup): recorded, go on
            summary = " ".join(str(exc).split())[:400]
            failed.append(f"{operation.label}  {mode}: HTTP {response.status_code}: {summary}")

    try:
        send()
    except Unsatisfiable:  # nothing to negate (no parameters, no body): no negative case exists
        assert mode is GenerationMode.NEGATIVE, f"{operation.label}: no valid request can be generated"
    tally.failures += failed[:2]  # the first two of an operation are enough to act on


@pytest.mark.parametrize("service", ["teacher", "student", "orchestrator"])
def test_no_server_error_and_every_response_as_documented(services: dict[str, str], service: str) -> None:
    headers = ADMIN if service == "orchestrator" else SERVICE_AUTH
    tally = fuzz(services[service], headers)
    print(f"{service}: {tally.operations} operations, {tally.cases} cases, {tally.server_errors} 5xx")
    assert tally.operations > 0
    assert tally.server_errors == 0, "\n".join(tally.failures)
    assert not tally.failures, "\n".join(tally.failures)
