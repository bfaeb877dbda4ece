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
from typing import Any, TypeVar

import httpx
from pydantic import TypeAdapter
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from fdd.wire.student import (
    CheckpointRead,
    GenerateRequest,
    GenerateResponse,
    JobCreate,
    JobKind,
    JobRead,
    JobStatus,
)

T = TypeVar("T")
ProgressCallback = Callable[[JobRead], Awaitable[None] | None]


class StudentError(Exception):
    """The student refused a request (4xx) or stayed unavailable; ``code`` names the error when known."""

    def __init__(self, status: int | None, message: str, code: str | None = None) -> None:
        super().__init__(
            f"student error {status}: {message}" if status else f"student unreachable: {message}"
        )
        self.status = status
        self.message = message
        self.code = code


class _Transient(Exception):
    def __init__(self, status: int | None, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


def _envelope(response: httpx.Response) -> tuple[str, str | None]:
    try:
        error = response.json()["error"]
        return str(error["message"]), error.get("code")
    except (ValueError, KeyError, TypeError, AttributeError):
        return response.text[:500] or response.reason_phrase, None


class StudentClient:
    """Jobs (create, get, list, cancel, wait), checkpoints, ad-hoc generation and readiness."""

    def __init__(
        self,
        base_url: str,
        timeout: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        attempts: int = 5,
        backoff_max_s: float = 10.0,
    ) -> None:
        self.http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport)
        self.attempts = attempts
        self.backoff_max_s = backoff_max_s

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> StudentClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def create_job(self, job: JobCreate) -> JobRead:
        """Queue a job; posting the same id again returns the existing job (``StudentError`` 409 if its
        kind differs, 404 if a predict/evaluate job names a checkpoint that does not exist)."""
        if job.id is None:
            job = job.model_copy(update={"id": uuid.uuid4().hex})
        return await self._call(JobRead, "POST", "/v1/jobs", json=job.model_dump(mode="json"))

    async def get_job(self, job_id: str) -> JobRead:
        return await self._call(JobRead, "GET", f"/v1/jobs/{job_id}")

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

        ``on_progress`` (sync or async) gets the job whenever its progress or status changed.
        Raises ``TimeoutError`` when ``timeout`` seconds pass first.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        seen: tuple[Any, ...] | None = None
        while True:
            job = await self.get_job(job_id)
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
            await asyncio.sleep(poll_s)

    async def checkpoints(self) -> list[CheckpointRead]:
        return await self._call(list[CheckpointRead], "GET", "/v1/checkpoints")

    async def checkpoint(self, name: str) -> CheckpointRead:
        return await self._call(CheckpointRead, "GET", f"/v1/checkpoints/{name}")

    async def generate(self, request: GenerateRequest) -> GenerateResponse:
        """Solve a few problems with a checkpoint in the API process (404 for an unknown checkpoint)."""
        return await self._call(
            GenerateResponse, "POST", "/v1/generate", json=request.model_dump(mode="json")
        )

    async def ready(self) -> bool:
        """Whether the student answers ``/readyz`` with 200 (never raises)."""
        try:
            response = await self.http.get("/readyz")
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def _call(self, shape: type[T] | Any, method: str, path: str, **kwargs: Any) -> T:
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(_Transient),
            stop=stop_after_attempt(self.attempts),
            wait=wait_random_exponential(multiplier=0.2, max=self.backoff_max_s),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return TypeAdapter(shape).validate_python(await self._send(method, path, **kwargs))
        except _Transient as exc:
            raise StudentError(exc.status, exc.message, exc.code) from None
        raise StudentError(None, "no attempt was made")  # unreachable: the loop returns or raises

    async def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = await self.http.request(method, path, **kwargs)
        except (httpx.TransportError, httpx.TimeoutException) as exc:
            raise _Transient(None, f"{type(exc).__name__}: {exc}") from None
        message, code = _envelope(response) if response.status_code >= 400 else ("", None)
        if response.status_code >= 500:
            raise _Transient(response.status_code, message, code)
        if response.status_code >= 400:
            raise StudentError(response.status_code, message, code)
        return response.json()
