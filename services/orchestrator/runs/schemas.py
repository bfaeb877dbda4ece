"""Wire models of the runs slice: ``RunConfig`` (a run's complete, validated configuration) and run reads.

``RunConfig`` forbids unknown keys everywhere, so a typo is a 422 naming the field rather than a silently
ignored knob. It is stored as JSON on the run (``model_dump(mode="json")``) and re-validated when read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from fdd.wire.student import TrainingKnobs
from orchestrator.runs.state import RoundStatus, RunStatus, Stage

CURRICULUM_MAX_STEPS = 8  # fdd.curriculum.MAX_STEPS (not imported here: the grammar is heavy to load)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CurriculumSpec(Strict):
    """A synthetic curriculum set: ``n`` problems over the given step counts, reproducible by ``seed``."""

    n: int = Field(2000, ge=1, le=1_000_000, description="Number of problems in the set.")
    steps: list[int] = Field(
        default_factory=lambda: [1, 2, 3],
        min_length=1,
        max_length=20,
        description="Reasoning-step counts (1-8, no repeats); the n problems are spread evenly over them.",
    )
    seed: int = Field(0, description="Seeds the generator: the same spec gives the same set.")
    distractor_rate: float = Field(
        0.3, ge=0.0, le=1.0, description="Share of problems that also state a fact the answer does not need."
    )

    @model_validator(mode="after")
    def _check_steps(self) -> CurriculumSpec:
        if any(not 1 <= s <= CURRICULUM_MAX_STEPS for s in self.steps):
            raise ValueError(f"steps must each be between 1 and {CURRICULUM_MAX_STEPS}")
        if len(set(self.steps)) != len(self.steps):
            raise ValueError("steps must not repeat")
        return self


class SeedConfig(Strict):
    """Where the seed problems come from: an imported dataset, or a curriculum generated for this run."""

    dataset_id: int | None = Field(
        None, ge=1, description="An imported dataset whose problems are the seeds."
    )
    curriculum: CurriculumSpec | None = Field(
        None, description="A curriculum set generated for this run (the default when no dataset_id is given)."
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> SeedConfig:
        if self.dataset_id is not None and self.curriculum is not None:
            raise ValueError("give either dataset_id or curriculum, not both")
        if self.dataset_id is None and self.curriculum is None:
            self.curriculum = CurriculumSpec()
        return self


class TeacherConfig(Strict):
    k: int = Field(4, ge=1, le=32, description="Rationales sampled per seed problem.")
    k_variants: int = Field(3, ge=1, le=32, description="Solutions per new problem, for consensus.")
    min_agree: int = Field(2, ge=1, le=32, description="Agreeing solutions needed to accept a new problem.")
    n_complex: int = Field(1, ge=0, le=16, description="Complex variants per easy problem.")
    n_similar: int = Field(1, ge=0, le=16, description="Similar problems per hard problem.")
    temperature: float = Field(
        0.7, ge=0.0, le=2.0, description="Sampling temperature of every teacher request."
    )

    @model_validator(mode="before")
    @classmethod
    def _no_backend(cls, data: Any) -> Any:
        """``backend`` was accepted and never used: the teacher service's FDD_TEACHER_BACKEND chooses.
        Stored configs carry ``backend: null``; a value is refused rather than silently ignored."""
        if isinstance(data, dict) and "backend" in data:
            if data["backend"] is not None:
                raise ValueError(
                    "teacher.backend is not a run setting: "
                    "the teacher service's FDD_TEACHER_BACKEND selects the backend"
                )
            data = {k: v for k, v in data.items() if k != "backend"}
        return data

    @model_validator(mode="after")
    def _agree_within_k(self) -> TeacherConfig:
        if self.min_agree > self.k_variants:
            raise ValueError("min_agree must be at most k_variants")
        return self


class StudentConfig(TrainingKnobs):
    """The run's ``student``: the training knobs, one model shared with the train job (``TrainingKnobs``),
    and the student queue every job of the run is sent to, which is not a training knob: it travels as the
    job's ``queue`` (``JobCreate``), not in its parameters, so a worker's ``TrainConfig`` never sees it."""

    queue: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        description="Student queue for every job of the run (e.g. 'gpu'); None: the student's default.",
    )


class EvaluationConfig(Strict):
    benchmarks: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="Benchmark names (gsm8k, svamp, asdiv, multiarith, jsonl:<path>) or dataset:<id>.",
    )
    curriculum_test: CurriculumSpec | None = Field(
        default_factory=lambda: CurriculumSpec(n=500, steps=[1, 2, 3, 4, 5], seed=1),
        description="A synthetic test set generated for the run (None: none).",
    )
    group_by: str | None = Field("steps", max_length=100, description="Meta key to break accuracy down by.")
    num_samples: int = Field(
        1, ge=1, le=64, description="Student samples per problem when classifying (1: greedy decoding)."
    )
    classify_temperature: float = Field(
        0.7, gt=0.0, le=2.0, description="Sampling temperature when classifying with num_samples > 1."
    )
    easy_pass_rate: float = Field(
        0.5, gt=0.0, le=1.0, description="A problem is easy when this share of its samples is correct."
    )
    beside_teacher: bool = Field(
        False,
        description="Evaluate a feedback round's checkpoint while the teacher writes the next round's "
        "problems (its evaluate job sent as GENERATE starts, collected after it), for a teacher that runs "
        "elsewhere (a remote LLM): on a 2-core host with the local synthetic teacher the two contend for "
        "the cores and the demo's round 0 measured 3 % slower. Ignored (serial) when `plateau` "
        "or `budget_usd` is set: their stop, read after EVALUATE, must come before the round's CLASSIFY "
        "and GENERATE spend.",
    )


class LeakageConfig(Strict):
    threshold: float = Field(
        0.6, ge=0.0, le=1.0, description="Reject new problems whose word n-gram score is at or above this."
    )
    content_threshold: float = Field(
        0.7,
        gt=0.0,
        le=1.0,
        description="Reject new problems whose numbers-and-nouns score (paraphrases) is at or above this.",
    )
    n: int = Field(3, ge=1, le=16, description="Word n-gram size.")
    benchmarks: list[str] | None = Field(
        None,
        description="Compared against; None = the evaluation benchmarks and every standard test set found "
        "(gsm8k test, svamp, asdiv, multiarith).",
    )


class PlateauConfig(Strict):
    patience: int = Field(2, ge=1, le=10, description="Rounds without improvement before stopping.")
    min_delta: float = Field(0.0, ge=0.0, le=1.0, description="Smallest accuracy gain that counts.")


class RunConfig(Strict):
    """Everything a run needs; defaults reproduce the offline curriculum experiment."""

    name: str = Field(min_length=1, max_length=200, description="A name for people to recognise the run by.")
    labels: dict[str, str] = Field(
        default_factory=dict,
        max_length=16,
        description="Free key/value tags that do not change what the run does, e.g. the experiment, arm "
        "and seed that `fdd experiment` runs it for (keys and values 1-100 characters).",
    )
    seed: SeedConfig = Field(default_factory=SeedConfig, description="Where the seed problems come from.")
    classify_pool: Literal["train", "heldout"] = Field(
        "train",
        description="Problems the student is classified on each round: the training problems (the paper's "
        "rule) or held-out seeds.",
    )
    heldout_fraction: float = Field(
        0.2, gt=0.0, lt=1.0, description="Share of seeds held out (heldout pool)."
    )
    rounds: int = Field(
        3, ge=0, le=10, description="Feedback rounds (0: train and evaluate on the seeds only, a baseline)."
    )
    teacher: TeacherConfig = Field(default_factory=TeacherConfig, description="How the teacher is sampled.")
    student: StudentConfig = Field(
        default_factory=StudentConfig, description="How the student trains, and the queue its jobs go to."
    )
    student_by_round: dict[int, dict[str, Any]] = Field(
        default_factory=dict,
        description="Overrides of `student` for single rounds (round index -> knobs), e.g. "
        '{"2": {"schedule": "tokens", "budget_tokens": 2000000}}: a compute budget per round.',
    )
    evaluation: EvaluationConfig = Field(
        default_factory=EvaluationConfig, description="What each round's checkpoint is evaluated on, and how."
    )
    leakage: LeakageConfig = Field(
        default_factory=LeakageConfig, description="Decontamination of new problems against the test sets."
    )
    budget_usd: float | None = Field(
        None,
        gt=0,
        description=(
            "Stop once the teacher cost reaches this (checked at each driver step: GENERATE may spend one "
            "step's requests past it)."
        ),
    )
    plateau: PlateauConfig | None = Field(
        None, description="Stop once mean accuracy stops improving (None: every round runs)."
    )
    feedback: Literal["fdd", "random", "complex_only", "similar_only"] = Field(
        "fdd",
        description="Which problems get new ones: fdd (complex of easy, similar of hard), one half of it, "
        "or random (the ablation without feedback).",
    )
    sampling_seed: int = Field(0, description="Base of the deterministic per-item sampling seeds.")

    @model_validator(mode="after")
    def _labels_are_short(self) -> RunConfig:
        for key, value in self.labels.items():
            if not (0 < len(key) <= 100 and 0 < len(value) <= 100):
                raise ValueError(f"labels.{key[:100]}: keys and values are 1-100 characters")
        return self

    @model_validator(mode="after")
    def _rounds_overridden_exist(self) -> RunConfig:
        for index in sorted(self.student_by_round):
            if not 0 <= index <= self.rounds:
                raise ValueError(
                    f"student_by_round: round {index} is not one of this run's rounds 0-{self.rounds}"
                )
            try:
                self.student_for(index)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(part) for part in first["loc"])
                raise ValueError(f"student_by_round.{index}.{where}: {first['msg']}") from None
        return self

    def student_for(self, round_index: int) -> TrainingKnobs:
        """The training knobs of round ``round_index``: ``student`` with that round's overrides."""
        knobs = self.student.model_dump(exclude={"queue"})
        return TrainingKnobs.model_validate({**knobs, **self.student_by_round.get(round_index, {})})


class RunBrief(BaseModel):
    id: int
    name: str
    status: RunStatus
    stage: Stage
    current_round: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    teacher_cost_usd: float
    error: str | None


class RoundRead(BaseModel):
    index: int
    stage: Stage
    status: RoundStatus
    progress: dict[str, Any]
    metrics: dict[str, Any]
    checkpoint: str | None
    started_at: datetime | None
    finished_at: datetime | None
    evaluations: list[dict[str, Any]] = Field(default_factory=list)
    labels: dict[str, int] = Field(default_factory=dict, description="Problems per difficulty label.")
    problems_created: dict[str, int] = Field(default_factory=dict, description="New problems per origin.")


class RunRead(RunBrief):
    config: RunConfig
    progress: dict[str, dict[str, int]] = Field(description="Work items done/failed/total per stage.")
    problems: dict[str, int] = Field(description="Pool size per origin.")
    rounds: list[RoundRead]


class RunList(BaseModel):
    items: list[RunBrief]
