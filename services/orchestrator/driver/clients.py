"""Build the driver and its typed HTTP clients from the orchestrator's settings (once, in the lifespan).

``start_driver`` returns a ``RunningDriver``: the driver, its asyncio task and the clients, closed
together by ``RunningDriver.stop``. Tests pass ``httpx`` transports to talk to fakes at the process
boundary.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx
from sqlalchemy.orm import Session, sessionmaker

from fdd.clients.student import StudentClient
from fdd.clients.teacher import TeacherClient
from orchestrator.settings import OrchestratorSettings

from .context import DriverOptions
from .loop import Driver


def build_clients(
    settings: OrchestratorSettings,
    teacher_transport: httpx.AsyncBaseTransport | None = None,
    student_transport: httpx.AsyncBaseTransport | None = None,
) -> tuple[TeacherClient, StudentClient]:
    """The teacher and student clients at the configured URLs."""
    teacher = TeacherClient(settings.teacher_url, transport=teacher_transport)
    student = StudentClient(settings.student_url, transport=student_transport)
    return teacher, student


@dataclass
class RunningDriver:
    driver: Driver
    task: asyncio.Task[None]
    teacher: TeacherClient
    student: StudentClient

    async def stop(self) -> None:
        """Stop the loop (leases released), then close the clients."""
        await self.driver.stop()
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.teacher.aclose()
        await self.student.aclose()


def start_driver(
    settings: OrchestratorSettings, maker: sessionmaker[Session], options: DriverOptions | None = None
) -> RunningDriver:
    """Start the driver loop as a background task of the running event loop."""
    teacher, student = build_clients(settings)
    options = options or DriverOptions(interval_s=settings.driver_interval_s)
    driver = Driver(maker, teacher, student, options)
    task = asyncio.create_task(driver.run(), name="orchestrator-driver")
    return RunningDriver(driver, task, teacher, student)
