"""The driver's typed HTTP clients of the teacher and the student, built from the orchestrator's settings
(their URLs and the service token, ``FDD_SERVICE_TOKEN``, sent as a bearer token).

Tests pass ``httpx`` transports to talk to fakes at the process boundary.
"""

from __future__ import annotations

import httpx

from fdd.clients.student import StudentClient
from fdd.clients.teacher import TeacherClient
from orchestrator.settings import OrchestratorSettings


def build_clients(
    settings: OrchestratorSettings,
    teacher_transport: httpx.AsyncBaseTransport | None = None,
    student_transport: httpx.AsyncBaseTransport | None = None,
) -> tuple[TeacherClient, StudentClient]:
    """The teacher and student clients at the configured URLs, sending the service token."""
    token = settings.service_token.get_secret_value()
    teacher = TeacherClient(settings.teacher_url, transport=teacher_transport, token=token)
    student = StudentClient(settings.student_url, transport=student_transport, token=token)
    return teacher, student
