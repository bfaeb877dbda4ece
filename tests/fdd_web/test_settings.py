"""Shared settings: a placeholder secret stops a production service from starting."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from orchestrator.settings import OrchestratorSettings


@pytest.mark.parametrize("token", ["dev-token", "changeme", ""])
def test_a_placeholder_admin_token_is_refused_in_production(token: str) -> None:
    with pytest.raises(ValidationError, match="admin_token must be set to a real secret"):
        OrchestratorSettings(environment="production", admin_token=token, service_token="a-real-one")
    with pytest.raises(ValidationError, match=r"service_token \(FDD_SERVICE_TOKEN\) and admin_token must"):
        OrchestratorSettings(environment="production", admin_token=token)  # both named at once
    OrchestratorSettings(environment="development", admin_token=token)  # fine for local use
    real = {"admin_token": "a-real-secret-of-some-length", "service_token": "another-real-secret"}
    OrchestratorSettings(environment="production", **real)
