"""Column helpers shared by the model modules: timezone-aware UTC timestamps and portable JSON.

Every timestamp column is ``Timestamp`` (``fdd_web.database.UTCDateTime``, a ``timestamptz`` on Postgres),
so that a row read back from SQLite carries its offset as one read from Postgres does."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import mapped_column

from fdd_web.database import UTCDateTime

Timestamp = UTCDateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


def created_at_column():  # type: ignore[no-untyped-def]
    """A non-null creation timestamp filled in by Python (the same on Postgres and SQLite)."""
    return mapped_column(Timestamp, default=utcnow, nullable=False)
