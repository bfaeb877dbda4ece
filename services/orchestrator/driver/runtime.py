"""The driver as a background task of the orchestrator process (started and stopped by the app lifespan).

``start_driver`` builds the clients and the ``Driver`` and starts its loop; the returned
``RunningDriver.stop`` stops the loop (releasing the leases it holds) and closes the clients.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from fdd.clients.student import StudentClient
from fdd.clients.teacher import TeacherClient
from orchestrator.settings import OrchestratorSettings

from .clients import build_clients
from .context import DriverOptions
from .loop import Driver


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


async def start_driver(
    settings: OrchestratorSettings, maker: sessionmaker[Session], options: DriverOptions | None = None
) -> RunningDriver:
    """Start the driver loop as a background task of the running event loop."""
    teacher, student = build_clients(settings)
    options = options or DriverOptions.from_settings(settings)
    driver = Driver(maker, teacher, student, options)
    task = asyncio.create_task(driver.run(), name="orchestrator-driver")
    return RunningDriver(driver, task, teacher, student)
