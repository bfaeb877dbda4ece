"""The student service's request and response shapes (``/v1/jobs``, ``/v1/checkpoints``, ``/v1/generate``)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

MAX_TEXT_CHARS = 8_000
# the longest long poll of a job (``GET /v1/jobs/{id}?wait=``): a waiting request holds one of the API's
# threads, so a client asks again rather than longer
MAX_JOB_WAIT_S = 30.0


class TinySettings(BaseModel):
    """The tiny model's settings with their ranges: the keys of student.modeling.TINY_DEFAULTS (a test
    keeps them equal), known here so that a misspelt or impossible one is refused when a run or a job
    is posted, not when a worker runs it (a vocabulary of 10**12 would kill the worker)."""

    model_config = ConfigDict(extra="forbid")

    arch: Literal["llama", "gpt2", "t5"] | None = None
    hidden: int | None = Field(None, ge=8, le=4096)
    layers: int | None = Field(None, ge=1, le=64)
    heads: int | None = Field(None, ge=1, le=64)
    ffn: int | None = Field(None, ge=8, le=16_384)
    vocab_size: int | None = Field(None, ge=64, le=262_144)
    dropout: float | None = Field(None, ge=0.0, lt=1.0)
    echo: Literal["none", "query", "question"] | None = None

    @model_validator(mode="after")
    def _heads_divide_hidden(self) -> TinySettings:
        hidden, heads = self.hidden or 128, self.heads or 4
        if hidden % heads:
            raise ValueError(f"hidden ({hidden}) must be a multiple of heads ({heads})")
        return self


TINY_KEYS = frozenset(TinySettings.model_fields)


def _known_tiny(value: dict[str, Any]) -> dict[str, Any]:
    unknown = set(value) - TINY_KEYS
    if unknown:
        raise ValueError(f"unknown tiny-model settings {sorted(unknown)}; known: {sorted(TINY_KEYS)}")
    TinySettings.model_validate(value)
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


Schedule = Literal["budget", "epochs", "converge", "tokens"]
Init = Literal["base", "previous"]
Precision = Literal["auto", "fp32", "bf16"]


class TrainingKnobs(Strict):
    """How the student trains: the one model of its knobs. A run's ``student`` config *is* this model and a
    train job carries it unchanged; the worker's ``TrainConfig`` is built from it field by field, so a knob
    is written once and an unknown one is a 422 when the run or the job is posted.

    ``schedule`` says how much a round trains: ``epochs`` (fixed passes over the whole set, so compute grows
    with the set, as in the paper), ``budget`` (``budget_examples`` example passes whatever the set's size),
    ``tokens`` (``budget_tokens`` real, non-padding tokens: the compute budget that arms of an experiment are
    matched on) or ``converge`` (until the held-out slice's loss has not improved for ``patience``
    validations, at most ``epochs`` passes). ``init`` says where a round starts: ``base`` (the paper: the base
    checkpoint every round) or ``previous`` (a warm start from the last round's checkpoint on the whole set).
    """

    base_model: str = Field(
        "tiny", min_length=1, max_length=500, description="'tiny' (built offline), a local path, or a hub id."
    )
    schedule: Schedule = Field("epochs", description="budget | epochs | converge | tokens (see above).")
    epochs: int = Field(30, ge=1, le=1000, description="Passes over the set (the ceiling under converge).")
    budget_examples: int = Field(
        40_000, ge=1, description="Example passes per round under schedule=budget, on the distinct pairs."
    )
    budget_tokens: int = Field(
        1_000_000, ge=1, le=10**12, description="Real (non-padding) tokens per round under schedule=tokens."
    )
    patience: int = Field(
        3, ge=1, le=100, description="converge: validations without improvement before training stops."
    )
    init: Init = Field("base", description="base: every round from the base; previous: warm start.")
    batch_size: int | None = Field(
        None,
        ge=1,
        le=4096,
        description="Examples per optimiser step; None: the base's: 32 for 'tiny' (and an fdd checkpoint "
        "trained from it: as it was trained), 8 for a pre-trained base.",
    )
    lr: float | None = Field(
        None,
        gt=0,
        le=1.0,
        description="Peak AdamW learning rate; None: the base's: 2e-3 for 'tiny' (and an fdd checkpoint "
        "trained from it: as it was trained), 5e-5 for a pre-trained base, which 2e-3 would wreck.",
    )
    max_length: int | None = Field(
        None,
        ge=16,
        le=8192,
        description="Longest prompt + program in tokens (longer examples are dropped); None: the base's: "
        "256 for 'tiny' (an fdd checkpoint: as it was trained), 512 for a pre-trained base.",
    )
    max_steps: int | None = Field(None, ge=1, description="Hard cap on optimiser steps.")
    val_fraction: float = Field(0.05, ge=0.0, lt=0.5, description="Share of questions held out (best kept).")
    seed: int = Field(0, ge=0, le=2**32 - 1, description="Seeds the split, initialisation and shuffling.")
    time_limit_s: float | None = Field(None, gt=0, description="Wall-clock budget of one training job.")
    mask_numbers: bool | None = Field(
        None,
        description="Numbers become N1, N2 … (restored before execution); None: on for 'tiny' (and a "
        "checkpoint trained so), off for a pre-trained base.",
    )
    mask_entities: bool | None = Field(
        None,
        description="People become P1, P2 …, counted things X1, X2 … in questions; None: on for 'tiny' only.",
    )
    normalize_names: bool | None = Field(
        None, description="Assigned variables become v1, v2 … in the programs; None: as mask_numbers."
    )
    compact_programs: bool | None = Field(
        None, description="Number constants inlined, the final answer folded; None: as mask_numbers."
    )
    augment_distractors: float = Field(
        0.3, ge=0.0, le=1.0, description="Share of examples given an unrelated statement each epoch."
    )
    precision: Precision = Field(
        "auto",
        description="auto | fp32 | bf16 (autocast); auto: bf16 on a GPU that supports it; on a CPU, for a "
        "model of ≥ 10 M parameters where bf16 matrix products are measured ≥ 3x its fp32 ones (AMX, "
        "AVX-512 BF16), for a smaller one where its own training step is measured ≥ 1.3x faster in bf16; "
        "else fp32.",
    )
    tiny: TinyOverrides = Field(default_factory=dict, description="Overrides of the tiny model's config.")

    @model_validator(mode="before")
    @classmethod
    def _legacy(cls, data: Any) -> Any:
        """Configs written before ``schedule`` existed: ``epochs: null`` meant the example budget, which
        was called ``train_budget_examples`` in run configs."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if "train_budget_examples" in data:
            data.setdefault("budget_examples", data.pop("train_budget_examples"))
        if "epochs" in data and data["epochs"] is None:
            del data["epochs"]
            data.setdefault("schedule", "budget")
        return data


class TrainParams(TrainingKnobs):
    """A train job: the knobs, the examples, and (for ``init: previous``) the checkpoint to start from."""

    kind: Literal["train"] = "train"
    examples: list[TrainExample] = Field(min_length=1, max_length=500_000)
    init_checkpoint: str | None = Field(
        None, min_length=1, max_length=200, description="A checkpoint name to start from (init: previous)."
    )
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
    """One sampled solution: the generated text, the restored program, its answer and verdict."""

    text: str
    program: str | None
    answer: float | None
    verdict: str
    error: str | None = Field(None, description="Why there is no answer: runaway, empty, unknown_slot, …")


class PredictionRead(BaseModel):
    """The one shape of a prediction on the wire: every output, the majority answer, the pass-rate."""

    id: str
    outputs: list[Output]
    answer: float | None
    pass_rate: float | None
    outcome: Literal["correct", "wrong", "no_answer", "unknown"]


class GenerateResponse(BaseModel):
    predictions: list[PredictionRead]


# What a finished job reports (``JobRead.result``): the student returns these, the orchestrator validates
# them, so neither side digs in untyped dicts. Extra keys are kept (older workers, diagnostics).


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class TrainMetrics(Open):
    """How a training job went (``student.training.loop``)."""

    steps: int = 0
    total_steps: int = 0
    epochs: float = 0.0
    stopped: str = "completed"  # completed | time_limit | converged | token_budget
    seconds: float = 0.0
    tokens_per_s: float = 0.0
    peak_memory_mb: float | None = None  # CUDA: peak allocated by torch; CPU: the worker's peak RSS
    tokens: int = 0  # real (non-padding) tokens processed
    train_examples: int = 0
    best_val_loss: float | None = None
    train_loss: float | None = None
    # the knobs the run used, decided from the base where the job left them to None
    lr: float | None = None
    batch_size: int | None = None
    max_length: int | None = None


class TrainResult(Open):
    kind: Literal["train"] = "train"
    checkpoint: str
    checkpoint_dir: str | None = None
    metrics: TrainMetrics = Field(default_factory=TrainMetrics)
    loss_curve: list[tuple[int, float]] = Field(default_factory=list)
    label: str | None = None
    recovered: bool = False


class PredictResult(Open):
    kind: Literal["predict"] = "predict"
    checkpoint: str
    engine: str | None = None
    n: int
    counts: dict[str, int] = Field(default_factory=dict)
    predictions: list[PredictionRead]
    seconds: float | None = None


class EvaluateResult(Open):
    kind: Literal["evaluate"] = "evaluate"
    checkpoint: str
    benchmark: str
    engine: str | None = None
    accuracy: float
    n: int
    counts: dict[str, int] = Field(default_factory=dict)
    by_group: dict[str, dict[str, float | int]] = Field(default_factory=dict)
    group_by: str | None = None
    population_hash: str | None = None
    mean_pass_rate: float | None = None
    seconds: float | None = None
    log_path: str | None = None
