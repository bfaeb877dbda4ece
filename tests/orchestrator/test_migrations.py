"""The Alembic migrations build exactly the models' schema, and tear it down, on Postgres and SQLite."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import orchestrator.models  # noqa: F401 - registers every table
from orchestrator.db import Base
from orchestrator.migrate import downgrade, upgrade
from tests.fixtures.servers import fresh_postgres_database

TABLES = {t.name for t in Base.metadata.sorted_tables}


def _tables_and_diff(url: str) -> tuple[set[str], list]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            return set(sa.inspect(conn).get_table_names()) - {"alembic_version"}, diff
    finally:
        engine.dispose()


def _round_trip(url: str) -> None:
    upgrade(url)
    tables, diff = _tables_and_diff(url)
    assert tables == TABLES
    assert diff == []
    downgrade(url)
    tables, _ = _tables_and_diff(url)
    assert tables == set()
    upgrade(url)
    assert _tables_and_diff(url)[0] == TABLES


def test_migrations_round_trip_on_postgres() -> None:
    with fresh_postgres_database("fdd_orch_mig") as url:
        _round_trip(url)


def test_migrations_round_trip_on_sqlite(tmp_path: Path) -> None:
    _round_trip(f"sqlite:///{tmp_path / 'orchestrator.db'}")


def test_a_run_reads_its_counts_from_covering_indexes(tmp_path: Path) -> None:
    """``GET /runs/{id}`` (which the CLI reads every second) counts the run's problems by round and origin
    and its labels by round: both come from an index alone, not from the rows."""
    from sqlalchemy.orm import Session

    from orchestrator.runs import repository

    url = f"sqlite:///{tmp_path / 'orchestrator.db'}"
    upgrade(url)
    engine = sa.create_engine(url)
    statements: list[tuple[str, object]] = []
    sa.event.listen(
        engine,
        "before_cursor_execute",
        lambda conn, cur, sql, params, ctx, many: statements.append((sql, params)),
    )
    try:
        with Session(engine) as session:
            repository.origin_counts(session, 1)
            repository.label_counts(session, [1, 2])
        plans = []
        with engine.connect() as conn:
            for sql, params in statements:
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
                plans.append(" ".join(str(row[-1]) for row in rows))
    finally:
        engine.dispose()
    assert "COVERING INDEX ix_problems_run_id_round_created_origin" in plans[0], plans[0]
    assert "COVERING INDEX ix_labels_round_id_label" in plans[1], plans[1]
