"""Where a dataset's problems come from: a benchmark loader, an uploaded list, or the curriculum.

Each collector returns fdd ``Problem`` objects and the ``spec`` that records how they were obtained; the
loading itself belongs to ``fdd.datasets`` and ``fdd.curriculum``. Failures name the request field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fdd.datasets import Problem, as_number, load_benchmark, problem_from_dict
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


def curriculum_problems(spec: CurriculumSpec, source: str) -> list[Problem]:
    """Generate the curriculum set ``spec``: ``n`` distinct problems spread evenly over ``spec.steps``.

    The one generator of curriculum sets: a dataset imported with a spec, a run's curriculum seed and its
    ``curriculum-test`` set all come from here, so equal specs give equal problems.
    """
    from fdd.curriculum import fixed_step_problems  # heavy to import; only needed when a set is made

    taken: set[str] = set()
    problems: list[Problem] = []
    for i, steps in enumerate(spec.steps):
        count = spec.n // len(spec.steps) + (1 if i < spec.n % len(spec.steps) else 0)
        for j, made in enumerate(
            fixed_step_problems(
                count, steps, seed=spec.seed, taken=taken, distractor_rate=spec.distractor_rate
            )
        ):
            problems.append(problem_from_dict(made.record(f"{source}-s{steps}-{j:05d}", source)))
    return problems


def from_curriculum(spec: CurriculumSpec) -> Collected:
    """A synthetic set: ``spec.n`` distinct curriculum problems spread evenly over ``spec.steps``."""
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
