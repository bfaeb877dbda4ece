"""What the typed service clients share: one pooled async connection, retries, the error envelope.

Connection failures, time-outs and 5xx answers are retried with exponential backoff and jitter
(tenacity); a 4xx — or a 5xx that outlasts the retries — raises the client's ``error`` type with the
status, the message and the code of the service's envelope ``{"error": {"message", "type", "code"}}``.
A client built with a ``token`` sends it as ``Authorization: Bearer <token>`` on every request: the
teacher and the student require the service token (``FDD_SERVICE_TOKEN``, ``fdd_web.auth``).
"""

from __future__ import annotations

from typing import Any, ClassVar, Self, TypeVar

import httpx
from pydantic import TypeAdapter
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

T = TypeVar("T")

# The service token the services accept, and the clients send, when none is configured: fine on a
# developer's machine, refused at start-up when environment=production (fdd_web.settings).
DEV_SERVICE_TOKEN = "dev-service-token"


class ServiceError(Exception):
    """A service refused a request (4xx) or stayed unavailable (``status`` None: unreachable)."""

    service = "service"

    def __init__(self, status: int | None, message: str, code: str | None = None) -> None:
        where = f"{self.service} error {status}" if status else f"{self.service} unreachable"
        super().__init__(f"{where}: {message}")
        self.status, self.message, self.code = status, message, code


class _Transient(Exception):
    def __init__(self, status: int | None, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


def envelope(response: httpx.Response) -> tuple[str, str | None]:
    """(message, code) of an error response, falling back to its text."""
    try:
        error = response.json()["error"]
        return str(error["message"]), error.get("code")
    except (ValueError, KeyError, TypeError, AttributeError):
        return response.text[:500] or response.reason_phrase, None


class ServiceClient:
    """Base of the typed clients: ``_call`` sends, retries and validates the answer into a shape."""

    error: ClassVar[type[ServiceError]] = ServiceError

    def __init__(
        self,
        base_url: str,
        timeout: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        attempts: int = 5,
        backoff_max_s: float = 10.0,
        token: str | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else None
        self.http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), timeout=timeout, transport=transport, headers=headers
        )
        self.attempts = attempts
        self.backoff_max_s = backoff_max_s

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def ready(self) -> bool:
        """Whether the service answers ``/readyz`` with 200 (never raises)."""
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
            raise self.error(exc.status, exc.message, exc.code) from None
        raise self.error(None, "no attempt was made")  # unreachable: the loop returns or raises

    async def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = await self.http.request(method, path, **kwargs)
        except (httpx.TransportError, httpx.TimeoutException) as exc:
            raise _Transient(None, f"{type(exc).__name__}: {exc}") from None
        message, code = envelope(response) if response.status_code >= 400 else ("", None)
        if response.status_code >= 500:
            raise _Transient(response.status_code, message, code)
        if response.status_code >= 400:
            raise self.error(response.status_code, message, code)
        return response.json()
