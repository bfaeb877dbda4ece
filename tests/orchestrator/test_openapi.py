"""The orchestrator's OpenAPI document tells the truth about auth and errors: a bearer scheme on every
admin operation (the Authorize button of /docs), and 401/404/409/422 documented as the envelope that a
real error answer carries."""

from __future__ import annotations

from fastapi.testclient import TestClient

from orchestrator.api import ErrorEnvelope
from orchestrator.app import create_app

ENVELOPE = {"$ref": "#/components/schemas/ErrorEnvelope"}


def test_every_admin_operation_names_the_bearer_scheme_and_the_error_envelope() -> None:
    spec = create_app().openapi()
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    operations = [(path, op) for path, item in spec["paths"].items() if path.startswith("/v1/")
                  for op in item.values()]  # fmt: skip
    assert operations
    for path, op in operations:
        assert op["security"] == [{"HTTPBearer": []}], path
        for status in ("401", "404", "409", "422"):
            assert op["responses"][status]["content"]["application/json"]["schema"] == ENVELOPE, (
                path,
                status,
            )


def test_a_real_401_matches_the_documented_envelope() -> None:
    response = TestClient(create_app()).get("/v1/runs", headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401
    assert ErrorEnvelope.model_validate(response.json()).error.type == "unauthorized"
