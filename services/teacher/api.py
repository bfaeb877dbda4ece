"""The teacher's HTTP endpoints: each parses, calls one service function, returns."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from fdd.wire.teacher import (
    BackendInfo,
    BackendsResponse,
    RationaleRequest,
    RationaleResponse,
    VariantRequest,
    VariantResponse,
)
from fdd.wire.teacher import UsageReport as UsageReportWire
from teacher.deps import SettingsDep, TeacherDep
from teacher.rationales import write_rationales
from teacher.usage import usage_report
from teacher.variants import write_variants

router = APIRouter(prefix="/v1", tags=["teacher"])


@router.post("/rationales", response_model=RationaleResponse)
async def create_rationales(request: RationaleRequest, teacher: TeacherDep) -> RationaleResponse:
    return await write_rationales(teacher, request)


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
