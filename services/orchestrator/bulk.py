"""Bulk writes: multi-row INSERTs in batches, optionally skipping rows that hit a unique constraint.

Imports of 100k problems and label writes of a whole round go through here rather than through ORM
objects one by one (an ORM ``add`` per row is an order of magnitude slower). Works on Postgres and SQLite.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

BATCH = 5000


def batches(rows: Iterable[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    """Yield lists of at most ``size`` rows."""
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _insert(session: Session, table: sa.Table, skip_conflicts: bool) -> Any:
    if not skip_conflicts:
        return sa.insert(table)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    raise NotImplementedError(f"skip_conflicts is not supported on {dialect}")


def insert_rows(
    session: Session,
    table: sa.Table,
    rows: Iterable[dict[str, Any]],
    *,
    skip_conflicts: bool = False,
    batch: int = BATCH,
) -> int:
    """Insert ``rows`` (dicts of column values) into ``table`` in batches; return how many were inserted.

    With ``skip_conflicts`` a row that violates a unique constraint is skipped (ON CONFLICT DO NOTHING),
    which makes re-running the same write harmless. Every row of a batch must have the same keys.
    """
    statement = _insert(session, table, skip_conflicts)
    if skip_conflicts:  # rowcount is unreliable for multi-row statements; count the rows returned instead
        statement = statement.returning(table.c.id)
    inserted = 0
    for chunk in batches(rows, batch):
        result = session.execute(statement, chunk)
        inserted += len(result.all()) if skip_conflicts else len(chunk)
    return inserted


def insert_returning_ids(session: Session, table: sa.Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` and return their new ids in the same order (INSERT … RETURNING, batched)."""
    ids: list[int] = []
    for chunk in batches(rows):
        result = session.execute(sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), chunk)
        ids.extend(result.scalars().all())
    return ids
