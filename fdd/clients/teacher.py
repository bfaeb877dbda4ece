"""A typed async client of the teacher service, for the orchestrator.

It speaks the wire models of ``fdd.wire.teacher``. Connection failures and 5xx answers are retried with
exponential backoff (tenacity); a 4xx (or a 5xx that outlasts the retries) raises ``TeacherError`` with
the status and the message of the service's error envelope.
"""

from __future__ import annotations

from typing import Any

import httpx

from fdd.clients.base import ServiceClient, ServiceError
from fdd.wire.teacher import (
    BackendsResponse,
    RationaleRequest,
    RationaleResponse,
    UsageReport,
    VariantRequest,
    VariantResponse,
)


class TeacherError(ServiceError):
    """The teacher refused a request (4xx) or stayed unavailable; ``message`` is its envelope's."""

    service = "teacher"


class TeacherClient(ServiceClient):
    """``rationales``, ``variants``, ``usage``, ``backends`` and ``ready`` over one pooled connection."""

    error = TeacherError

    def __init__(
        self,
        base_url: str,
        timeout: float = 600.0,
        transport: httpx.AsyncBaseTransport | None = None,
        **options: Any,
    ) -> None:
        super().__init__(base_url, timeout, transport, **options)

    async def rationales(self, request: RationaleRequest) -> RationaleResponse:
        """k executed and checked rationales per problem."""
        return await self._call(
            RationaleResponse, "POST", "/v1/rationales", json=request.model_dump(mode="json")
        )

    async def variants(self, request: VariantRequest) -> VariantResponse:
        """New (complex or similar) problems with their consensus answers or rejection reasons."""
        return await self._call(VariantResponse, "POST", "/v1/variants", json=request.model_dump(mode="json"))

    async def usage(self, label: str | None = None) -> UsageReport:
        """Calls, cache hits, tokens and cost (only ``label``'s when given)."""
        params = {"label": label} if label is not None else None
        return await self._call(UsageReport, "GET", "/v1/usage", params=params)

    async def backends(self) -> BackendsResponse:
        return await self._call(BackendsResponse, "GET", "/v1/backends")
