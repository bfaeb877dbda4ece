"""A typed async client of the teacher service, for the orchestrator.

It speaks the wire models of ``fdd.wire.teacher``. Connection failures and 5xx answers are retried with
exponential backoff (tenacity); a 4xx (or a 5xx that outlasts the retries) raises ``TeacherError`` with
the status and the message of the service's error envelope.
"""

from __future__ import annotations

from typing import Any, TypeVar

import httpx
from pydantic import BaseModel
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from fdd.wire.teacher import (
    BackendsResponse,
    RationaleRequest,
    RationaleResponse,
    UsageReport,
    VariantRequest,
    VariantResponse,
)

ModelT = TypeVar("ModelT", bound=BaseModel)


class TeacherError(Exception):
    """The teacher refused a request (4xx) or stayed unavailable; ``message`` is its envelope's."""

    def __init__(self, status: int | None, message: str) -> None:
        super().__init__(
            f"teacher error {status}: {message}" if status else f"teacher unreachable: {message}"
        )
        self.status = status
        self.message = message


class _Transient(Exception):
    def __init__(self, status: int | None, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _envelope_message(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return response.text[:500] or response.reason_phrase


class TeacherClient:
    """``rationales``, ``variants``, ``usage``, ``backends`` and ``ready`` over one pooled connection."""

    def __init__(
        self,
        base_url: str,
        timeout: float = 600.0,
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

    async def __aenter__(self) -> TeacherClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def rationales(self, request: RationaleRequest) -> RationaleResponse:
        """k executed and checked rationales per problem."""
        return await self._call(
            "POST", "/v1/rationales", RationaleResponse, json=request.model_dump(mode="json")
        )

    async def variants(self, request: VariantRequest) -> VariantResponse:
        """New (complex or similar) problems with their consensus answers or rejection reasons."""
        return await self._call("POST", "/v1/variants", VariantResponse, json=request.model_dump(mode="json"))

    async def usage(self, label: str | None = None) -> UsageReport:
        """Calls, cache hits, tokens and cost (only ``label``'s when given)."""
        params = {"label": label} if label is not None else None
        return await self._call("GET", "/v1/usage", UsageReport, params=params)

    async def backends(self) -> BackendsResponse:
        return await self._call("GET", "/v1/backends", BackendsResponse)

    async def ready(self) -> bool:
        """Whether the teacher answers ``/readyz`` with 200 (never raises)."""
        try:
            response = await self.http.get("/readyz")
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def _call(self, method: str, path: str, model: type[ModelT], **kwargs: Any) -> ModelT:
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(_Transient),
            stop=stop_after_attempt(self.attempts),
            wait=wait_random_exponential(multiplier=0.2, max=self.backoff_max_s),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return model.model_validate(await self._send(method, path, **kwargs))
        except _Transient as exc:
            raise TeacherError(exc.status, exc.message) from None
        raise TeacherError(None, "no attempt was made")  # unreachable: the loop returns or raises

    async def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = await self.http.request(method, path, **kwargs)
        except (httpx.TransportError, httpx.TimeoutException) as exc:
            raise _Transient(None, f"{type(exc).__name__}: {exc}") from None
        if response.status_code >= 500:
            raise _Transient(response.status_code, _envelope_message(response))
        if response.status_code >= 400:
            raise TeacherError(response.status_code, _envelope_message(response))
        return response.json()
