"""One way to build a SQLAlchemy engine for any of the services (Postgres, or the embedded SQLite file),
and the one timestamp column type they all use.

SQLite connections get the pragmas that make the embedded default usable by several processes at once:
WAL journal, a 30 s busy timeout, foreign keys on, and the ``synchronous`` level the caller picks.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import DateTime, Engine, create_engine, event
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back aware (UTC), on Postgres and on SQLite alike.

    SQLite keeps no time zone: a ``DateTime(timezone=True)`` column reads back naive there, and an API
    would answer a ``date-time`` without the offset RFC 3339 requires. A naive value given to it is taken
    as UTC (the services' convention). ``UTCDateTime(timezone=True)`` is a ``timestamptz`` on Postgres;
    the student's tables, created before this type was shared, keep their zone-less columns (the default),
    in which the UTC wall time is stored.
    """

    impl = DateTime
    cache_ok = True

    def __init__(self, timezone: bool = False) -> None:
        super().__init__(timezone=timezone)
        self.timezone = timezone

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
        return value if self.timezone else value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


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
