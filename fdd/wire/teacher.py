"""The teacher service's request and response shapes (``/v1/rationales``, ``/v1/variants``, ``/v1/usage``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_PROBLEMS_PER_REQUEST = 256
MAX_TEXT_CHARS = 8_000


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Sampling(Strict):
    temperature: float = Field(0.7, ge=0.0, le=2.0)
    top_p: float = Field(1.0, gt=0.0, le=1.0)
    max_tokens: int = Field(512, ge=16, le=4096)
    seed: int | None = Field(
        None, description="Base seed; sample i of a request uses seed + i where supported."
    )


class ProblemIn(Strict):
    id: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    gold: float | None = None


class RationaleRequest(Strict):
    problems: list[ProblemIn] = Field(min_length=1, max_length=MAX_PROBLEMS_PER_REQUEST)
    k: int = Field(4, ge=1, le=32, description="Reasoning paths sampled per problem.")
    sampling: Sampling = Field(default_factory=Sampling)
    label: str | None = Field(None, max_length=200, description="Run/round label for usage accounting.")


class Sample(BaseModel):
    """One sampled completion, its extracted program and the program's executed verdict."""

    index: int
    raw: str
    program: str | None
    verdict: str = Field(description="'ok', 'no_program', or an execution error kind (timeout, syntax, …).")
    answer: float | None
    correct: bool | None = Field(description="Against gold (rationales) or the consensus (variants).")
    cached: bool
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0


class ItemMeta(BaseModel):
    backend: str
    model: str
    prompt_version: str


class RationaleResult(ItemMeta):
    id: str
    samples: list[Sample]
    correct_programs: list[str] = Field(description="Distinct (canonical) programs whose answer is correct.")
    error: str | None = Field(None, description="Why no sample could be obtained (e.g. upstream failure).")


class UsageDelta(BaseModel):
    calls: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0


class RationaleResponse(BaseModel):
    results: list[RationaleResult]
    usage: UsageDelta


class VariantSource(Strict):
    id: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    program: str | None = Field(None, max_length=MAX_TEXT_CHARS)
    answer: float | None = None


VariantKind = Literal["complex", "similar"]

RejectReason = Literal[
    "malformed",  # the completion held no problem
    "declined",  # the teacher refused (e.g. cannot parse the parent)
    "same_as_parent",  # the new text equals the parent's
    "duplicate",  # the same new text was produced twice for this request
    "no_consensus",  # the teacher's k solutions did not agree
    "not_more_complex",  # a complex variant that needs no more steps than its parent
    "upstream_error",  # the backend failed after retries
]


class VariantRequest(Strict):
    problems: list[VariantSource] = Field(min_length=1, max_length=MAX_PROBLEMS_PER_REQUEST)
    kind: VariantKind
    n: int = Field(1, ge=1, le=16, description="New problems per source problem.")
    k: int = Field(3, ge=1, le=32, description="Independent solutions per new problem, for consensus.")
    min_agree: int = Field(
        2, ge=1, le=32, description="Solutions that must agree (and be a strict majority)."
    )
    sampling: Sampling = Field(default_factory=Sampling)
    label: str | None = Field(None, max_length=200)


class NewProblem(ItemMeta):
    parent_id: str
    kind: VariantKind
    index: int = Field(description="Which of the n variants of its parent this is.")
    text: str | None
    accepted: bool
    reason: RejectReason | None = None
    detail: str | None = None
    answer: float | None = Field(None, description="The consensus answer.")
    programs: list[str] = Field(
        default_factory=list, description="Distinct programs giving the consensus answer."
    )
    steps: int | None = Field(None, description="Steps of the simplest agreeing program.")
    parent_steps: int | None = None
    samples: list[Sample] = Field(default_factory=list)


class VariantResponse(BaseModel):
    problems: list[NewProblem]
    usage: UsageDelta


class UsageRow(UsageDelta):
    backend: str
    model: str
    endpoint: str
    label: str | None


class UsageReport(BaseModel):
    rows: list[UsageRow]
    totals: UsageDelta


class BackendInfo(BaseModel):
    name: str
    model: str
    default: bool
    prices_per_million: dict[str, float] = Field(default_factory=dict)


class BackendsResponse(BaseModel):
    backends: list[BackendInfo]
