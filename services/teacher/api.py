"""The teacher's HTTP endpoints: each parses, calls one service function, returns.

``/v1/rationales`` reads its body itself: a body answered wholly from the cache before is replayed from
memory without being parsed (``Teacher.replay``); any other is parsed here with the same model and the
same 422 as FastAPI's own parsing. Its OpenAPI entry still documents the request and response models.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from fdd.wire.teacher import (
    BackendInfo,
    BackendsResponse,
    RationaleRequest,
    RationaleResponse,
    VariantRequest,
    VariantResponse,
)
from fdd.wire.teacher import UsageReport as UsageReportWire
from fdd_web.errors import ERROR_RESPONSES
from teacher.core import Teacher
from teacher.deps import SettingsDep, TeacherDep
from teacher.rationales import ENDPOINT as RATIONALES
from teacher.rationales import answer_rationales
from teacher.replay import is_json
from teacher.usage import usage_report
from teacher.variants import write_variants

router = APIRouter(prefix="/v1", tags=["teacher"], responses=ERROR_RESPONSES)
Model = TypeVar("Model", bound=BaseModel)


async def json_body(raw: Request) -> bytes:
    """The request's body, or FastAPI's 422 when it is not declared as JSON (``application/…json``)."""
    if not is_json(raw.headers.get("content-type", "")):
        message = "Input should be a valid dictionary or object to extract fields from"
        error = {"type": "model_attributes_type", "loc": ("body",), "msg": message, "input": None}
        raise RequestValidationError([error])
    return await raw.body()


def parse_body(model: type[Model], body: bytes) -> Model:
    """``body`` as ``model``, or the 422 FastAPI gives for a body parameter (the message names the field)."""
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors, body=body) from None


def body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """An OpenAPI ``requestBody`` for ``model`` read by hand, nested models written in place."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(defs[node["$ref"].rsplit("/", 1)[1]])
            return {key: inline(value) for key, value in node.items()}
        return [inline(value) for value in node] if isinstance(node, list) else node

    return {"requestBody": {"required": True, "content": {"application/json": {"schema": inline(schema)}}}}


@router.post("/rationales", response_model=RationaleResponse, openapi_extra=body_schema(RationaleRequest))
async def create_rationales(raw: Request, teacher: TeacherDep) -> Response:
    return Response(await rationales_json(teacher, await json_body(raw)), media_type="application/json")


async def rationales_json(teacher: Teacher, body: bytes) -> bytes:
    """The response to a ``/v1/rationales`` body: all the endpoint does past HTTP (the bench calls it)."""
    content = await teacher.replay(RATIONALES, body)
    if content is None:
        content = await answer_rationales(teacher, parse_body(RationaleRequest, body), body)
    return content


@router.post("/variants", response_model=VariantResponse)
async def create_variants(request: VariantRequest, teacher: TeacherDep) -> VariantResponse:
    return await write_variants(teacher, request)


@router.get("/usage", response_model=UsageReportWire)
async def read_usage(
    teacher: TeacherDep, label: Annotated[str | None, Query(max_length=200)] = None
) -> UsageReportWire:
    return await usage_report(teacher, label)


@router.get("/backends", response_model=BackendsResponse)
async def list_backends(teacher: TeacherDep, settings: SettingsDep) -> BackendsResponse:
    price = settings.price_of(teacher.backend.model)
    info = BackendInfo(
        name=teacher.backend.name,
        model=teacher.backend.model,
        default=True,
        prices_per_million={"prompt": price.prompt, "completion": price.completion},
    )
    return BackendsResponse(backends=[info])
