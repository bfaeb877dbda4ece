"""The student service's request and response shapes (``/v1/jobs``, ``/v1/checkpoints``, ``/v1/generate``)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

MAX_TEXT_CHARS = 8_000
# The tiny model's settings: the keys of student.modeling.TINY_DEFAULTS (a test keeps them equal), known
# here so that a job with a misspelt one is refused when it is posted, not when a worker runs it.
TINY_KEYS = frozenset({"arch", "hidden", "layers", "heads", "ffn", "vocab_size", "dropout", "echo"})


def _known_tiny(value: dict[str, Any]) -> dict[str, Any]:
    unknown = set(value) - TINY_KEYS
    if unknown:
        raise ValueError(f"unknown tiny-model settings {sorted(unknown)}; known: {sorted(TINY_KEYS)}")
    return value


TinyOverrides = Annotated[dict[str, Any], AfterValidator(_known_tiny)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class JobKind(StrEnum):
    TRAIN = "train"
    PREDICT = "predict"
    EVALUATE = "evaluate"


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


class TrainExample(Strict):
    id: str = Field(min_length=1, max_length=200)
    question: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    program: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)


class TrainParams(Strict):
    kind: Literal["train"] = "train"
    examples: list[TrainExample] = Field(min_length=1, max_length=500_000)
    base_model: str = Field("tiny", description="'tiny' (built offline), a local path, or a hub id.")
    epochs: int = Field(30, ge=1, le=1000)
    budget_examples: int | None = Field(
        None, ge=1, description="Example passes instead of epochs, counted on the distinct training pairs."
    )
    batch_size: int = Field(32, ge=1, le=4096)
    lr: float = Field(2e-3, gt=0, le=1.0)
    max_steps: int | None = Field(None, ge=1)
    val_fraction: float = Field(0.05, ge=0.0, lt=0.5)
    seed: int = 0
    time_limit_s: float | None = Field(None, gt=0)
    mask_numbers: bool = Field(True, description="Numbers become N1, N2 … (restored before execution).")
    mask_entities: bool | None = Field(
        None,
        description="People become P1, P2 …, counted things X1, X2 … in questions; None: on for 'tiny' only.",
    )
    normalize_names: bool = Field(True, description="Assigned variables become v1, v2 … in the programs.")
    compact_programs: bool = Field(True, description="Number constants inlined, the final answer folded.")
    augment_distractors: float = Field(
        0.3, ge=0.0, le=1.0, description="Share of examples given an unrelated statement each epoch."
    )
    tiny: TinyOverrides = Field(default_factory=dict, description="Overrides of the tiny model's config.")
    label: str | None = Field(None, max_length=200, description="Free label (run/round), kept in the meta.")


class PredictProblem(Strict):
    id: str = Field(min_length=1, max_length=200)
    question: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    gold: float | None = None
    meta: dict[str, Any] = Field(default_factory=dict)


class Decoding(Strict):
    num_samples: int = Field(1, ge=1, le=64)
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    max_new_tokens: int = Field(256, ge=1, le=4096)
    batch_size: int = Field(64, ge=1, le=4096)


class PredictParams(Strict):
    kind: Literal["predict"] = "predict"
    checkpoint: str = Field(min_length=1, max_length=200)
    problems: list[PredictProblem] = Field(min_length=1, max_length=200_000)
    decoding: Decoding = Field(default_factory=Decoding)


class EvaluateParams(Strict):
    kind: Literal["evaluate"] = "evaluate"
    checkpoint: str = Field(min_length=1, max_length=200)
    benchmark: str = Field(
        min_length=1,
        max_length=500,
        description="A name known to fdd.datasets (gsm8k, svamp, …, jsonl:<path>).",
    )
    problems: list[PredictProblem] | None = Field(
        None, description="Inline problems instead of a named benchmark."
    )
    limit: int | None = Field(None, ge=1)
    group_by: str | None = "steps"
    decoding: Decoding = Field(default_factory=Decoding)


JobParams = Annotated[TrainParams | PredictParams | EvaluateParams, Field(discriminator="kind")]


class JobCreate(Strict):
    id: str | None = Field(
        None,
        min_length=1,
        max_length=120,
        pattern=r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$",  # no leading dot: the id names a directory
        description="Client-chosen id: creating the same id twice returns the existing job (idempotent).",
    )
    params: JobParams
    queue: str | None = Field(None, description="Celery queue; default 'cpu', or 'gpu' for GPU workers.")


class JobProgress(BaseModel):
    stage: str | None = None
    done: int = 0
    total: int = 0
    loss: float | None = None
    message: str | None = None


class JobRead(BaseModel):
    id: str
    kind: JobKind
    status: JobStatus
    progress: JobProgress
    result: dict[str, Any] | None = None
    error: str | None = None
    attempts: int = 0
    created_at: datetime
    updated_at: datetime


class CheckpointRead(BaseModel):
    name: str
    created_at: datetime | None = None
    meta: dict[str, Any] = Field(default_factory=dict)


class GenerateRequest(Strict):
    checkpoint: str = Field(min_length=1, max_length=200)
    problems: list[PredictProblem] = Field(min_length=1, max_length=256)
    decoding: Decoding = Field(default_factory=Decoding)


class Output(BaseModel):
    text: str
    program: str | None
    answer: float | None
    verdict: str


class PredictionRead(BaseModel):
    id: str
    outputs: list[Output]
    answer: float | None
    pass_rate: float | None
    outcome: Literal["correct", "wrong", "no_answer", "unknown"]


class GenerateResponse(BaseModel):
    predictions: list[PredictionRead]
