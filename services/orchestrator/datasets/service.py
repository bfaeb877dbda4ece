"""Rules of the datasets slice: import once under a unique name, deduplicate, write in bulk; resolve the
``dataset:<id>`` references that a run's config may name (seed, evaluation and leakage sets).

A dataset is written in the request's transaction: the row, then its problems in multi-row batches, so a
failure anywhere leaves nothing behind (the session dependency rolls back). Problems that repeat an
earlier one (same normalised question and answer) are skipped and counted in ``spec.duplicates``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fdd.datasets import Problem, population_hash
from fdd_web.errors import Conflict, NotFound
from fdd_web.params import INT32_MAX
from orchestrator.datasets import repository, sources
from orchestrator.datasets.models import Dataset
from orchestrator.datasets.schemas import DatasetCreate, DatasetDetail, DatasetProblemRead, DatasetRead
from orchestrator.pagination import Page, page_of


def unique_problems(problems: list[Problem]) -> tuple[list[Problem], int]:
    """Keep the first of each content hash; return the kept problems and how many were dropped."""
    seen: set[str] = set()
    kept: list[Problem] = []
    for problem in problems:
        if problem.content_hash not in seen:
            seen.add(problem.content_hash)
            kept.append(problem)
    return kept, len(problems) - len(kept)


def import_problems(
    session: Session, name: str, source: str, problems: list[Problem], spec: dict[str, Any]
) -> Dataset:
    """Write a dataset and its (deduplicated) problems; ``Conflict`` when the name is taken."""
    if repository.get_by_name(session, name) is not None:
        raise Conflict(f"a dataset named {name!r} already exists", code="dataset_exists")
    kept, duplicates = unique_problems(problems)
    dataset = Dataset(
        name=name,
        source=source,
        spec={**spec, "duplicates": duplicates},
        population_hash=population_hash(kept),
        n_problems=len(kept),
    )
    try:
        repository.add(session, dataset)
    except IntegrityError as exc:  # a concurrent import took the name between the check and the insert
        raise Conflict(f"a dataset named {name!r} already exists", code="dataset_exists") from exc
    repository.insert_problems(session, (_row(dataset.id, p) for p in kept))
    return dataset


def _row(dataset_id: int, problem: Problem) -> dict[str, Any]:
    return {
        "dataset_id": dataset_id,
        "external_id": problem.id[:200],
        "question": problem.question,
        "answer": float(problem.answer),
        "content_hash": problem.content_hash,
        "meta": problem.meta,
    }


def create_dataset(session: Session, body: DatasetCreate, data_dir: Path | None = None) -> DatasetRead:
    """Import the problems ``body`` asks for as a new dataset."""
    problems, spec = sources.collect(body, data_dir)
    dataset = import_problems(session, body.name, body.source, problems, spec)
    return DatasetRead.model_validate(dataset)


def list_datasets(session: Session, limit: int, cursor: int | None) -> Page[DatasetRead]:
    rows = repository.list_page(session, limit, cursor)
    return page_of([DatasetRead.model_validate(d) for d in rows], [d.id for d in rows], limit)


def get_dataset(session: Session, dataset_id: int, sample: int = 5) -> DatasetDetail:
    dataset = repository.get(session, dataset_id)
    if dataset is None:
        raise NotFound(f"dataset {dataset_id} not found")
    problems = repository.first_problems(session, dataset_id, sample)
    return DatasetDetail(
        **DatasetRead.model_validate(dataset).model_dump(),
        sample=[DatasetProblemRead.model_validate(p) for p in problems],
    )


REFERENCE_PREFIX = "dataset:"


def is_reference(name: str) -> bool:
    """Whether a benchmark name is a ``dataset:<id>`` reference (to be resolved here, not by fdd)."""
    return name.startswith(REFERENCE_PREFIX)


def reference_id(name: str) -> int | None:
    """The id in ``dataset:<id>``; None when ``name`` is no such reference or ``<id>`` is no whole number."""
    ident = name.removeprefix(REFERENCE_PREFIX)
    if not is_reference(name) or not (ident.isascii() and ident.isdigit()):
        return None
    return int(ident)


def dataset_exists(session: Session, dataset_id: int) -> bool:
    # An id beyond the integer column would be a database error, not a miss.
    return 0 <= dataset_id <= INT32_MAX and repository.get(session, dataset_id) is not None


def dataset_problems(session: Session, dataset_id: int) -> list[Problem]:
    """A dataset's problems in import order, as fdd problems whose source is ``dataset:<id>``.

    ``ValueError`` when it has none (or does not exist): a run created against it was checked, so this
    means the dataset was removed since.
    """
    rows = repository.problems(session, dataset_id)
    if not rows:
        raise ValueError(f"dataset {dataset_id} has no problems (or does not exist)")
    source = f"{REFERENCE_PREFIX}{dataset_id}"
    return [Problem(r.external_id, r.question, r.answer, source, r.meta or {}) for r in rows]


def resolve_reference(session: Session, name: str) -> list[Problem]:
    """The problems a ``dataset:<id>`` name stands for (``dataset_problems``); ValueError when malformed."""
    dataset_id = reference_id(name)
    if dataset_id is None:
        raise ValueError(f"{name!r} is not a dataset reference (dataset:<id>)")
    return dataset_problems(session, dataset_id)
