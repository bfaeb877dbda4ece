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


def _refs(node: object) -> list[str]:
    """The component names that ``node`` refers to, at any depth."""
    if isinstance(node, dict):
        own = [node["$ref"].rsplit("/", 1)[1]] if "$ref" in node else []
        return own + [name for value in node.values() for name in _refs(value)]
    if isinstance(node, list):
        return [name for value in node for name in _refs(value)]
    return []


def test_every_field_of_every_request_body_is_described() -> None:
    spec = create_app().openapi()
    schemas = spec["components"]["schemas"]
    todo = [
        name
        for item in spec["paths"].values()
        for op in item.values()
        for name in _refs(op.get("requestBody"))
    ]
    assert "RunConfig" in todo
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += _refs(schemas[name])
    assert {"RunConfig", "StudentConfig", "TeacherConfig", "CurriculumSpec"} <= seen
    undescribed = [f"{name}.{prop}" for name in sorted(seen)
                   for prop, schema in schemas[name].get("properties", {}).items()
                   if not schema.get("description")]  # fmt: skip
    assert undescribed == []
