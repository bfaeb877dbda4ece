"""Where a dataset's problems come from: a benchmark loader, an uploaded list, or the curriculum.

Each collector returns fdd ``Problem`` objects and the ``spec`` that records how they were obtained; the
loading itself belongs to ``fdd.datasets`` and ``fdd.curriculum``. Failures name the request field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fdd.datasets import Problem, as_number, load_benchmark
from fdd.references import RefusedReference
from fdd_web.errors import Refused
from orchestrator.datasets.schemas import DatasetCreate, ProblemIn
from orchestrator.enums import DatasetSource
from orchestrator.errors import Invalid
from orchestrator.runs.schemas import CurriculumSpec

Collected = tuple[list[Problem], dict[str, Any]]


def from_benchmark(name: str, split: str | None, data_dir: Path | None) -> Collected:
    """Load a benchmark by name (``fdd.datasets.load_benchmark``) from ``data_dir`` (None: FDD_DATA_DIR)."""
    try:
        benchmark = load_benchmark(name, data_dir, split)
    except RefusedReference as exc:
        raise Refused("benchmark", str(exc)) from exc
    except (ValueError, OSError, KeyError) as exc:  # inside the data directory: the operator's files
        raise Invalid("benchmark", str(exc)) from exc
    spec = {"benchmark": name, "split": split, "loaded_as": benchmark.name, "skipped": benchmark.skipped}
    return list(benchmark.problems), spec


def from_rows(dataset_name: str, rows: list[ProblemIn]) -> Collected:
    """Uploaded rows as problems; a row without an id gets ``<dataset>/<row number>``."""
    problems = [
        Problem(
            id=row.id or f"{dataset_name}/{index}",
            question=row.question.strip(),
            answer=as_number(row.answer),
            source=row.source or "jsonl",
            meta=row.meta,
        )
        for index, row in enumerate(rows)
    ]
    return problems, {"uploaded": len(rows)}


def from_curriculum(spec: CurriculumSpec) -> Collected:
    """A synthetic set: ``spec.n`` distinct curriculum problems spread evenly over ``spec.steps``.

    The same generator as a run's curriculum seed (``driver.seeds.curriculum_problems``), so a dataset
    imported with a spec holds exactly the problems a run seeded with that spec would.
    """
    from orchestrator.driver.seeds import curriculum_problems

    return curriculum_problems(spec, "curriculum"), spec.model_dump()


def collect(body: DatasetCreate, data_dir: Path | None) -> Collected:
    """The problems a ``DatasetCreate`` asks for, with the spec to store."""
    match body.source:
        case DatasetSource.BENCHMARK:
            assert body.benchmark is not None  # guaranteed by DatasetCreate's validator
            return from_benchmark(body.benchmark, body.split, data_dir)
        case DatasetSource.JSONL:
            assert body.problems is not None
            return from_rows(body.name, body.problems)
        case DatasetSource.CURRICULUM:
            return from_curriculum(body.curriculum or CurriculumSpec())
    raise Invalid("source", f"unknown source {body.source!r}")
