"""What a stage step works with: the run's snapshot, its round, the typed clients and short transactions.

A stage step is ``async``; its database work runs in short synchronous transactions on a worker thread
(``StageContext.db``), each committed before anything is sent to another service. ``DriverOptions``
holds the driver's knobs (chunk sizes, concurrency, lease, retries), with defaults fit for production
and small values for tests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from fdd.wire.runs import evaluates_beside
from orchestrator.runs.schemas import RunConfig
from orchestrator.runs.state import RunStatus, Stage

if TYPE_CHECKING:
    from fdd.clients.student import StudentClient
    from fdd.clients.teacher import TeacherClient
    from orchestrator.settings import OrchestratorSettings

T = TypeVar("T")


@dataclass(frozen=True)
class DriverOptions:
    """Knobs of the driver (the interval comes from the orchestrator's settings)."""

    interval_s: float = 1.0
    lease_ttl_s: float = 30.0
    max_runs: int = 4  # runs one replica drives at the same time
    teacher_chunk: int = 32  # problems per teacher request
    teacher_concurrency: int = 4  # teacher requests in flight per run
    chunks_per_step: int = 8  # teacher requests per step (recorded teacher_concurrency at a time)
    poll_s: float = 0.5  # seconds between two looks at a student job (each a long poll of that length)
    max_attempts: int = 4  # failed tries of a step before the run fails
    backoff_s: float = 2.0  # first wait after a failure (doubles each time)
    job_attempts: int = 2  # student jobs tried per stage before the stage fails

    @classmethod
    def from_settings(cls, settings: OrchestratorSettings) -> DriverOptions:
        """The options given by the orchestrator's ``driver_*`` settings."""
        return cls(
            interval_s=settings.driver_interval_s,
            lease_ttl_s=settings.driver_lease_ttl_s,
            max_runs=settings.driver_max_runs,
            teacher_chunk=settings.driver_teacher_chunk,
            teacher_concurrency=settings.driver_teacher_concurrency,
            chunks_per_step=settings.driver_chunks_per_step,
            poll_s=settings.driver_poll_s,
            max_attempts=settings.driver_max_attempts,
            backoff_s=settings.driver_backoff_s,
        )


async def in_transaction(maker: sessionmaker[Session], fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn(session, *args)`` in one committed transaction on a worker thread; return its result."""

    def work() -> T:
        with maker.begin() as session:
            return fn(session, *args)

    return await asyncio.to_thread(work)


@dataclass(frozen=True)
class RunSnapshot:
    """The parts of a run a step needs, read at the start of the step."""

    id: int
    status: RunStatus
    stage: Stage
    round_index: int
    round_id: int
    config: RunConfig
    teacher_cost_usd: float


class StageFailed(RuntimeError):
    """A stage cannot complete (e.g. its student job failed on every attempt, or the pool is empty)."""


class StepResult(StrEnum):
    MORE = "more"  # progress was made (or is awaited); call the stage again
    DONE = "done"  # the stage is complete; advance the pointer


@dataclass
class StageContext:
    """A step's view of the world: the run snapshot, the clients, the options and the sessionmaker."""

    run: RunSnapshot
    maker: sessionmaker[Session]
    teacher: TeacherClient
    student: StudentClient
    options: DriverOptions

    async def db(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(session, *args)`` in its own short committed transaction."""
        return await in_transaction(self.maker, fn, *args)

    @property
    def config(self) -> RunConfig:
        return self.run.config

    @property
    def beside(self) -> bool:
        """Whether the run evaluates a feedback round beside the teacher (``fdd.wire.runs``)."""
        return evaluates_beside(self.config.model_dump(include={"evaluation", "plateau", "budget_usd"}))
