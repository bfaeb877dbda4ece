"""A typed async client of the student service, for the orchestrator (and the CLI).

It speaks the wire models of ``fdd.wire.student``. Connection failures and 5xx answers are retried with
exponential backoff (tenacity); a 4xx (or a 5xx that outlasts the retries) raises ``StudentError`` with
the status, the message and the code of the service's error envelope. ``create_job`` gives the job an
id before the first attempt, so a retried POST can never create the job twice.
"""

from __future__ import annotations

import asyncio
import inspect
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fdd.clients.base import ServiceClient, ServiceError
from fdd.wire.student import (
    MAX_JOB_WAIT_S,
    CheckpointRead,
    GenerateRequest,
    GenerateResponse,
    JobCreate,
    JobKind,
    JobRead,
    JobStatus,
)

ProgressCallback = Callable[[JobRead], Awaitable[None] | None]


class StudentError(ServiceError):
    """The student refused a request (4xx) or stayed unavailable; ``code`` names the error when known."""

    service = "student"


class StudentClient(ServiceClient):
    """Jobs (create, get, list, cancel, wait), checkpoints, ad-hoc generation and readiness."""

    error = StudentError

    async def create_job(self, job: JobCreate) -> JobRead:
        """Queue a job; posting the same id again returns the existing job (``StudentError`` 409 if its
        kind differs, 404 if a predict/evaluate job names a checkpoint that does not exist)."""
        if job.id is None:
            job = job.model_copy(update={"id": uuid.uuid4().hex})
        return await self._call(JobRead, "POST", "/v1/jobs", json=job.model_dump(mode="json"))

    async def get_job(self, job_id: str, wait: float = 0.0) -> JobRead:
        """The job; with ``wait`` (seconds, ≤ 30), as soon as it has finished, or after ``wait`` seconds."""
        params = {"wait": wait} if wait else None
        return await self._call(JobRead, "GET", f"/v1/jobs/{job_id}", params=params)

    async def list_jobs(
        self, status: JobStatus | None = None, kind: JobKind | None = None, limit: int = 100
    ) -> list[JobRead]:
        params: dict[str, Any] = {"limit": limit}
        if status is not None:
            params["status"] = str(status)
        if kind is not None:
            params["kind"] = str(kind)
        return await self._call(list[JobRead], "GET", "/v1/jobs", params=params)

    async def cancel_job(self, job_id: str) -> JobRead:
        """Ask the service to cancel the job; returns its state (a running job ends ``cancelled`` later)."""
        return await self._call(JobRead, "DELETE", f"/v1/jobs/{job_id}")

    async def wait_job(
        self,
        job_id: str,
        poll_s: float = 1.0,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> JobRead:
        """Poll until the job has finished (succeeded, failed or cancelled) and return it.

        Each look after the first is a long poll of up to ``poll_s`` seconds, so the end of the job is
        heard of at once. ``on_progress`` (sync or async) gets the job whenever its progress or status
        changed. Raises ``TimeoutError`` when ``timeout`` seconds pass first.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        seen: tuple[Any, ...] | None = None
        while True:
            asked = time.monotonic()
            wait = 0.0 if seen is None else min(poll_s, MAX_JOB_WAIT_S)
            if deadline is not None:
                wait = max(0.0, min(wait, deadline - asked))
            job = await self.get_job(job_id, wait)
            state = (job.status, job.progress, job.attempts)
            if on_progress is not None and state != seen:
                outcome = on_progress(job)
                if inspect.isawaitable(outcome):
                    await outcome
            seen = state
            if job.status.finished:
                return job
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"job {job_id} still {job.status} after {timeout}s")
            await asyncio.sleep(max(0.0, poll_s - (time.monotonic() - asked)))  # a server that did not wait

    async def checkpoints(self) -> list[CheckpointRead]:
        return await self._call(list[CheckpointRead], "GET", "/v1/checkpoints")

    async def checkpoint(self, name: str) -> CheckpointRead:
        return await self._call(CheckpointRead, "GET", f"/v1/checkpoints/{name}")

    async def generate(self, request: GenerateRequest) -> GenerateResponse:
        """Solve a few problems with a checkpoint in the API process (404 for an unknown checkpoint)."""
        return await self._call(
            GenerateResponse, "POST", "/v1/generate", json=request.model_dump(mode="json")
        )
