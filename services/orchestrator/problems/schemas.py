"""Wire models of the problems slice: problem reads, lineage, export rows, rejections, label writes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from orchestrator.enums import AnswerSource, LabelValue, Origin, ProblemRole, WorkKind


class ProblemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: str
    question: str
    answer: float
    answer_source: AnswerSource
    origin: Origin
    parent_id: int | None
    round_created: int
    steps: int | None
    role: ProblemRole
    leak_score: float | None
    leak_match: str | None
    teacher_backend: str | None
    teacher_model: str | None
    prompt_version: str | None


class LabelRecord(BaseModel):
    round: int
    label: LabelValue
    pass_rate: float


class LineageNode(BaseModel):
    id: int
    external_id: str
    question: str
    answer: float
    origin: Origin
    round_created: int
    teacher_model: str | None
    teacher_backend: str | None
    prompt_version: str | None
    labels: list[LabelRecord] = Field(description="The problem's difficulty label in each classified round.")


class Lineage(BaseModel):
    problem_id: int
    chain: list[LineageNode] = Field(description="The problem first, then its parent, … up to the seed.")


class ExportRow(BaseModel):
    """One training example: a problem with one of its correct rationales (a JSONL line of the export)."""

    problem_id: int
    question: str
    program: str
    answer: float
    origin: Origin
    parent_id: int | None
    round_created: int
    teacher_model: str | None
    prompt_version: str | None
    label: LabelValue | None


class RejectionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    round_id: int | None
    parent_problem_id: int | None
    kind: WorkKind
    text: str
    reason: str
    detail: str | None
    leak_score: float | None
    created_at: datetime


class LabelWrite(BaseModel):
    """A difficulty label to record for one problem in one round (``record_labels``)."""

    problem_id: int
    label: LabelValue
    pass_rate: float = 0.0
    outputs: dict[str, Any] = Field(default_factory=dict)
