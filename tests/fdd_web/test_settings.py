"""Shared settings: a placeholder secret stops a production service from starting."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from orchestrator.settings import OrchestratorSettings


@pytest.mark.parametrize("token", ["dev-token", "changeme", ""])
def test_a_placeholder_admin_token_is_refused_in_production(token: str) -> None:
    with pytest.raises(ValidationError, match="admin_token must be set to a real secret"):
        OrchestratorSettings(environment="production", admin_token=token)
    OrchestratorSettings(environment="development", admin_token=token)  # fine for local use
    OrchestratorSettings(environment="production", admin_token="a-real-secret-of-some-length")
