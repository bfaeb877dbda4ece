"""One way to build a SQLAlchemy engine for any of the services: Postgres, or the embedded SQLite file.

SQLite connections get the pragmas that make the embedded default usable by several processes at once:
WAL journal, a 30 s busy timeout, foreign keys on, and the ``synchronous`` level the caller picks.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import Engine, create_engine, event


def make_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 10,
    synchronous: Literal["FULL", "NORMAL"] = "FULL",
) -> Engine:
    """An engine for ``url``: pooled with pre-ping on a server, pragma'd on SQLite."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        for pragma in (
            "journal_mode=WAL",
            "busy_timeout=30000",
            "foreign_keys=ON",
            f"synchronous={synchronous}",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    return engine
