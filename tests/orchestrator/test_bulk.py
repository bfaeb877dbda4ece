"""Bulk writes give the same rows and counts on Postgres (COPY) and SQLite (multi-row INSERTs)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from orchestrator.bulk import insert_rows
from orchestrator.datasets.models import Dataset, DatasetProblem
from orchestrator.db import make_engine, make_sessionmaker
from orchestrator.enums import DatasetSource
from orchestrator.migrate import upgrade


def rows(dataset_id: int, numbers: range, **extra: object) -> list[dict]:
    return [
        {"dataset_id": dataset_id, "external_id": f"p{i}", "question": f"q{i}\ttab, 'quote' \\ back",
         "answer": i / 2, "content_hash": f"{i:064d}", **extra}
        for i in numbers
    ]  # fmt: skip


def check_bulk(session: Session) -> None:
    dataset = Dataset(name="bulk", source=DatasetSource.JSONL, spec={}, population_hash="0")
    session.add(dataset)
    session.flush()
    table = DatasetProblem.__table__
    meta = {"steps": 3, "ops": ["add"]}
    assert insert_rows(session, table, rows(dataset.id, range(10), meta=meta)) == 10
    assert insert_rows(session, table, rows(dataset.id, range(5, 15)), skip_conflicts=True) == 5
    assert insert_rows(session, table, [], skip_conflicts=True) == 0
    stored = session.scalars(sa.select(DatasetProblem).order_by(DatasetProblem.id)).all()
    assert len(stored) == 15
    assert (stored[3].question, stored[3].answer, stored[3].meta) == ("q3\ttab, 'quote' \\ back", 1.5, meta)
    assert stored[12].meta == {}  # the Python-side default applies on the COPY path too


def test_bulk_insert_on_postgres(db_session: Session) -> None:
    check_bulk(db_session)


def test_bulk_insert_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bulk.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine).begin() as session:
            check_bulk(session)
    finally:
        engine.dispose()


def test_rows_must_share_their_keys(db_session: Session) -> None:
    with pytest.raises(KeyError):
        insert_rows(db_session, DatasetProblem.__table__, [{"dataset_id": 1}, {"question": "x"}])
