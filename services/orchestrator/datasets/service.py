"""Rules of the datasets slice: import once under a unique name, deduplicate, write in bulk.

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
