"""Bulk writes: many rows in one go, optionally skipping rows that hit a unique constraint.

Imports of 100k problems and label writes of a whole round go through here rather than through ORM
objects one by one (an ORM ``add`` per row is one to two orders of magnitude slower). On Postgres the
rows are streamed with COPY (about three times faster than multi-row INSERTs); with ``skip_conflicts``
they are copied into a temporary table first and moved with one ``INSERT … SELECT … ON CONFLICT DO
NOTHING``. Elsewhere (SQLite) they go as batched multi-row INSERTs. Everything runs in the session's
transaction, so a failure leaves nothing behind.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from enum import Enum
from itertools import chain, islice
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

BATCH = 5000


def batches(rows: Iterable[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    """Yield lists of at most ``size`` rows."""
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def insert_rows(
    session: Session,
    table: sa.Table,
    rows: Iterable[dict[str, Any]],
    *,
    skip_conflicts: bool = False,
) -> int:
    """Insert ``rows`` (dicts of column values, all with the same keys) into ``table``; return how many.

    With ``skip_conflicts`` a row that violates a unique constraint is skipped (ON CONFLICT DO NOTHING),
    which makes re-running the same write harmless; the count is then of the rows really inserted.
    """
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return 0
    rows = chain([first], iterator)
    columns = list(first)
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        return _copy_rows(session, table, columns, rows, skip_conflicts)
    return _insert_batches(session, table, rows, skip_conflicts)


def _insert_batches(session: Session, table: sa.Table, rows: Iterable[dict[str, Any]], skip: bool) -> int:
    statement: Any = sa.insert(table)
    if skip:  # rowcount is unreliable for multi-row statements: count the ids returned instead
        statement = sqlite.insert(table).on_conflict_do_nothing().returning(table.c.id)
    inserted = 0
    for chunk in batches(rows):
        result = session.execute(statement, chunk)
        inserted += len(result.all()) if skip else len(chunk)
    return inserted


def _copy_value(column: sa.Column, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, sa.JSON):
        return json.dumps(value)
    if isinstance(value, Enum):
        return value.value
    return value


def _python_defaults(table: sa.Table, given: list[str]) -> dict[str, Any]:
    """Values of the Python-side column defaults (``default=``) of the columns not in ``given``."""
    values: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.name in given or column.primary_key or default is None:
            continue
        if default.is_scalar:  # type: ignore[attr-defined]
            values[column.name] = default.arg  # type: ignore[attr-defined]
        elif default.is_callable:  # type: ignore[attr-defined]
            values[column.name] = default.arg(None)  # type: ignore[attr-defined]
    return values


def _copy_rows(
    session: Session, table: sa.Table, columns: list[str], rows: Iterable[dict[str, Any]], skip: bool
) -> int:
    defaults = _python_defaults(table, columns)  # COPY bypasses SQLAlchemy's Python-side defaults
    columns = columns + list(defaults)
    cols = [table.c[name] for name in columns]
    names = ", ".join(f'"{name}"' for name in columns)
    target = f'"{table.name}"'
    if skip:
        target = f"_bulk_{uuid.uuid4().hex[:12]}"
        session.execute(
            sa.text(f'CREATE TEMP TABLE {target} AS SELECT {names} FROM "{table.name}" WITH NO DATA')
        )
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    copied = 0
    with cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
        for row in rows:
            values = {**row, **defaults} if defaults else row
            copy.write_row([_copy_value(col, values[col.name]) for col in cols])
            copied += 1
    if not skip:
        return copied
    moved = session.execute(
        sa.text(f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM {target} ON CONFLICT DO NOTHING')
    )
    session.execute(sa.text(f"DROP TABLE {target}"))
    return moved.rowcount


def insert_returning_ids(session: Session, table: sa.Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` and return their new ids in the same order (INSERT … RETURNING, batched)."""
    ids: list[int] = []
    for chunk in batches(rows):
        result = session.execute(sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), chunk)
        ids.extend(result.scalars().all())
    return ids
