"""Orchestrator-specific errors on top of the shared ``ServiceError`` family."""

from __future__ import annotations

from fdd_web.errors import ServiceError


class Invalid(ServiceError):
    """Input that passed schema validation but breaks a rule (unknown benchmark, missing dataset): 422.

    The message starts with the offending field, like the schema's own 422s (``seed.dataset_id: …``).
    """

    status_code = 422
    type = "invalid_request_error"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", code="validation_error")
        self.field = field
