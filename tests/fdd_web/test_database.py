"""``UTCDateTime``: a timestamp reads back aware and as the same instant, whatever zone it was written in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from fdd_web.database import UTCDateTime, make_engine


@pytest.mark.parametrize("zoned_column", [True, False])
def test_a_timestamp_reads_back_from_sqlite_as_the_same_instant_in_utc(
    tmp_path: Path, zoned_column: bool
) -> None:
    table = sa.Table("t", sa.MetaData(), sa.Column("at", UTCDateTime(timezone=zoned_column)))
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    table.metadata.create_all(engine)
    paris = datetime(2024, 5, 1, 14, 30, tzinfo=timezone(timedelta(hours=2)))
    naive = datetime(2024, 5, 1, 9, 0)  # taken as UTC
    with engine.begin() as conn:
        conn.execute(table.insert(), [{"at": paris}, {"at": naive}])
        later = conn.scalar(
            sa.select(sa.func.count()).where(table.c.at > datetime(2024, 5, 1, 12, 0, tzinfo=UTC))
        )
    with engine.connect() as conn:
        read = conn.scalars(sa.select(table.c.at)).all()
    engine.dispose()
    assert read == [datetime(2024, 5, 1, 12, 30, tzinfo=UTC), naive.replace(tzinfo=UTC)]
    assert all(value.utcoffset() == timedelta(0) for value in read)
    assert later == 1  # comparisons bind through the same conversion
