"""Queries of the datasets slice (no business rules, no commits)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orchestrator.bulk import insert_rows
from orchestrator.datasets.models import Dataset, DatasetProblem


def get(session: Session, dataset_id: int) -> Dataset | None:
    return session.get(Dataset, dataset_id)


def get_by_name(session: Session, name: str) -> Dataset | None:
    return session.scalars(sa.select(Dataset).where(Dataset.name == name)).first()


def list_page(session: Session, limit: int, cursor: int | None) -> list[Dataset]:
    query = sa.select(Dataset).order_by(Dataset.id).limit(limit + 1)
    if cursor is not None:
        query = query.where(Dataset.id > cursor)
    return list(session.scalars(query))


def add(session: Session, dataset: Dataset) -> Dataset:
    session.add(dataset)
    session.flush()
    return dataset


def insert_problems(session: Session, rows: Iterable[dict[str, Any]]) -> int:
    return insert_rows(session, DatasetProblem.__table__, rows)


def first_problems(session: Session, dataset_id: int, n: int) -> list[DatasetProblem]:
    query = (
        sa.select(DatasetProblem)
        .where(DatasetProblem.dataset_id == dataset_id)
        .order_by(DatasetProblem.id)
        .limit(n)
    )
    return list(session.scalars(query))


def problems(session: Session, dataset_id: int) -> list[DatasetProblem]:
    """Every problem of a dataset, in import order (the driver seeds runs from these)."""
    query = (
        sa.select(DatasetProblem).where(DatasetProblem.dataset_id == dataset_id).order_by(DatasetProblem.id)
    )
    return list(session.scalars(query))
