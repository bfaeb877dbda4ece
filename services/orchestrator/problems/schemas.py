"""Wire models of the problems slice: problem reads, lineage, export rows, rejections, label writes.

Every field carries a description: these models are the admin API's documented responses (``/docs``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from orchestrator.enums import AnswerSource, LabelValue, Origin, ProblemRole, WorkKind

ID = "The problem's id in the run's pool."
EXTERNAL_ID = "The id it had in its source data set (a seed), or one made up for a generated problem."
ANSWER = "The gold answer (a seed's) or the teacher's consensus answer (a generated problem's)."
ORIGIN = "seed (from the seed data set), complex (a harder variant of an easy problem) or similar."
ROUND_CREATED = "The round whose GENERATE stage created it (0 for seeds)."
PARENT = "The problem it was generated from; null for a seed."
BACKEND = "The teacher backend that wrote it (e.g. synthetic, openai); null for a seed question."
MODEL = "The teacher model that wrote it; null for a seed question."
PROMPT = "The teacher's prompt version that wrote it; null for a seed question."


class ProblemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description=ID)
    external_id: str = Field(description=EXTERNAL_ID)
    question: str = Field(description="The problem's text.")
    answer: float = Field(description=ANSWER)
    answer_source: AnswerSource = Field(description="Where the answer comes from: gold or consensus.")
    origin: Origin = Field(description=ORIGIN)
    parent_id: int | None = Field(description=PARENT)
    round_created: int = Field(description=ROUND_CREATED)
    steps: int | None = Field(description="Reasoning steps of its program, when known.")
    role: ProblemRole = Field(description="train (distilled) or heldout (a seed only classified).")
    leak_score: float | None = Field(description="Highest similarity to a test-set question (0-1).")
    leak_match: str | None = Field(description="The test-set question it was closest to.")
    teacher_backend: str | None = Field(description=BACKEND)
    teacher_model: str | None = Field(description=MODEL)
    prompt_version: str | None = Field(description=PROMPT)


class LabelRecord(BaseModel):
    round: int = Field(description="The round that classified the problem.")
    label: LabelValue = Field(description="easy, hard, or no_answer (no sample gave an answer).")
    pass_rate: float = Field(description="Share of the student's samples that were correct (0-1).")


class LineageNode(BaseModel):
    id: int = Field(description=ID)
    external_id: str = Field(description=EXTERNAL_ID)
    question: str = Field(description="The problem's text.")
    answer: float = Field(description=ANSWER)
    origin: Origin = Field(description=ORIGIN)
    round_created: int = Field(description=ROUND_CREATED)
    teacher_model: str | None = Field(description=MODEL)
    teacher_backend: str | None = Field(description=BACKEND)
    prompt_version: str | None = Field(description=PROMPT)
    labels: list[LabelRecord] = Field(description="The problem's difficulty label in each classified round.")


class Lineage(BaseModel):
    problem_id: int = Field(description="The problem asked for.")
    chain: list[LineageNode] = Field(description="The problem first, then its parent, … up to the seed.")


class ExportRow(BaseModel):
    """One training example: a problem with one of its correct rationales (a JSONL line of the export)."""

    problem_id: int = Field(description=ID)
    rationale_id: int = Field(description="The rationale's id (a problem may have several).")
    question: str = Field(description="The problem's text.")
    program: str = Field(description="A correct Program-of-Thought rationale: Python that computes ans.")
    answer: float = Field(description=ANSWER)
    origin: Origin = Field(description=ORIGIN)
    parent_id: int | None = Field(description=PARENT)
    round_created: int = Field(description=ROUND_CREATED)
    teacher_backend: str | None = Field(description="The teacher backend that wrote the rationale.")
    teacher_model: str | None = Field(description="The teacher model that wrote the rationale.")
    prompt_version: str | None = Field(description="The teacher's prompt version that wrote the rationale.")
    label: LabelValue | None = Field(
        description="Its latest difficulty label up to the exported round; null if never classified."
    )
    label_round: int | None = Field(description="The round that label is from.")
    pass_rate: float | None = Field(description="The student's pass rate on the problem in that round (0-1).")
    leak_score: float | None = Field(description="Highest similarity to a test-set question (0-1).")


class RejectionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="The rejection's id.")
    round_id: int | None = Field(description="The id of the round that rejected it.")
    parent_problem_id: int | None = Field(description="The problem it was to be a variant of.")
    kind: WorkKind = Field(description="The teacher work that proposed it: complex or similar.")
    text: str = Field(description="The rejected question.")
    reason: str = Field(description="leakage, duplicate, malformed or the teacher's own reason.")
    detail: str | None = Field(description="More about the reason (e.g. the benchmark overlap).")
    leak_score: float | None = Field(description="Its similarity to the closest test-set question (0-1).")
    created_at: datetime = Field(description="When it was rejected.")


class LabelWrite(BaseModel):
    """A difficulty label to record for one problem in one round (``record_labels``)."""

    problem_id: int
    label: LabelValue
    pass_rate: float = 0.0
    outputs: dict[str, Any] = Field(default_factory=dict)
