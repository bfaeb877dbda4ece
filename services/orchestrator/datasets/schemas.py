"""Wire models of the datasets slice: ``DatasetCreate`` (one of three sources) and ``DatasetRead``."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from orchestrator.enums import DatasetSource
from orchestrator.runs.schemas import CurriculumSpec

MAX_TEXT = 20_000
MAX_PROBLEMS = 1_000_000
# A curriculum dataset is generated inside its POST (~0.25 ms a problem on one core, then written): bounded
# so that the request ends in well under a minute; a larger set is imported as JSONL files in parts.
MAX_CURRICULUM_DATASET = 100_000


REQUIRED = {DatasetSource.BENCHMARK: "benchmark", DatasetSource.JSONL: "problems"}
ALLOWED = {
    DatasetSource.BENCHMARK: {"benchmark", "split"},
    DatasetSource.JSONL: {"problems"},
    DatasetSource.CURRICULUM: {"curriculum"},
}
OPTIONAL = ("benchmark", "split", "problems", "curriculum")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProblemIn(Strict):
    """One uploaded problem, in fdd's JSONL schema."""

    id: str | None = Field(None, min_length=1, max_length=200, description="Default: the row number.")
    question: str = Field(min_length=1, max_length=MAX_TEXT, description="The problem's text.")
    answer: float = Field(description="The gold answer (a finite number).")
    source: str | None = Field(None, max_length=100, description="Where it comes from (free text).")
    meta: dict[str, Any] = Field(default_factory=dict, description="Anything else, kept as given.")

    @field_validator("answer")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("answer must be a finite number")
        return value

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("question must not be blank")
        return value


class DatasetCreate(Strict):
    """``source=benchmark`` needs ``benchmark`` (and optionally ``split``); ``jsonl`` needs ``problems``;
    ``curriculum`` takes ``curriculum`` (defaults apply when omitted)."""

    name: str = Field(
        min_length=1,
        max_length=200,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/-]*$",
        description="The dataset's name.",
    )
    source: DatasetSource = Field(description="benchmark, jsonl (problems in the body) or curriculum.")
    benchmark: str | None = Field(None, min_length=1, max_length=500, description="e.g. gsm8k, svamp.")
    split: str | None = Field(None, max_length=50, description="e.g. train/test for gsm8k, a for asdiv.")
    problems: list[ProblemIn] | None = Field(
        None, min_length=1, max_length=MAX_PROBLEMS, description="source=jsonl: the problems."
    )
    curriculum: CurriculumSpec | None = Field(None, description="source=curriculum: what to generate.")

    @model_validator(mode="after")
    def _fields_match_source(self) -> DatasetCreate:
        needed = REQUIRED.get(self.source)
        if needed and getattr(self, needed) is None:
            raise ValueError(f"source={self.source.value} needs '{needed}'")
        extra = [f for f in OPTIONAL if getattr(self, f) is not None and f not in ALLOWED[self.source]]
        if extra:
            raise ValueError(f"source={self.source.value} does not take {', '.join(extra)}")
        if self.curriculum is not None and self.curriculum.n > MAX_CURRICULUM_DATASET:
            raise ValueError(
                f"curriculum.n: at most {MAX_CURRICULUM_DATASET:,} problems in one curriculum dataset (it is "
                "generated inside the request); import a larger set as JSONL files in parts"
            )
        return self


class DatasetRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="The dataset's id (what seed.dataset_id and dataset:<id> name).")
    name: str = Field(description="The dataset's name.")
    source: DatasetSource = Field(description="benchmark, jsonl or curriculum.")
    spec: dict[str, Any] = Field(description="How it was made: benchmark and split, or the curriculum spec.")
    population_hash: str = Field(description="sha256 of its sorted content hashes (equal sets, equal hash).")
    n_problems: int = Field(description="How many problems it holds.")
    created_at: datetime = Field(description="When it was imported.")


class DatasetProblemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="The problem's id in the dataset.")
    external_id: str = Field(description="Its id in the source (or its row number).")
    question: str = Field(description="The problem's text.")
    answer: float = Field(description="The gold answer.")
    content_hash: str = Field(description="sha256 of the normalised question and answer.")
    meta: dict[str, Any] = Field(description="Anything else the source gave.")


class DatasetDetail(DatasetRead):
    sample: list[DatasetProblemRead] = Field(description="The first problems, in import order.")
