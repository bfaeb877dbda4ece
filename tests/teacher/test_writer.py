"""The group-commit writer: paid-for rows are durable before ``write`` returns; cache-only rows at flush,
summed per group."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from teacher.backends.base import Completion
from teacher.db import CacheEntry, Store, UsageRecord, make_engine, usage_table
from teacher.writer import BatchWriter

pytestmark = pytest.mark.anyio


def store(tmp_path: Path) -> Store:
    s = Store(make_engine(f"sqlite:///{tmp_path / 'w.db'}"))
    s.create_tables()
    return s


async def test_waiting_write_is_committed_and_lazy_usage_at_flush(tmp_path: Path) -> None:
    s = store(tmp_path)
    writer = BatchWriter(s)
    writer.start()
    entry = CacheEntry("k1", "b", "m", "v", Completion("text", 3, 4))
    await writer.write([entry], UsageRecord("b", "m", "rationales", "L", calls=1, prompt_tokens=3), wait=True)
    assert s.get_many(["k1"]) == {"k1": Completion("text", 3, 4, "stop")}
    await writer.write([], UsageRecord("b", "m", "rationales", "L", cache_hits=5), wait=False)
    await writer.flush()
    [row] = s.usage("L")
    assert (row.calls, row.cache_hits, row.prompt_tokens) == (1, 5, 3)
    await writer.close()


async def test_failed_commit_reaches_the_waiter_and_the_writer_goes_on(tmp_path: Path) -> None:
    s = store(tmp_path)
    writer = BatchWriter(s)
    writer.start()
    bad = UsageRecord("b", "m", "rationales", "x" * 10, calls=1)
    bad.calls = None  # type: ignore[assignment]  # violates NOT NULL
    with pytest.raises(Exception, match="NOT NULL"):
        await writer.write([], bad, wait=True)
    await writer.write([], UsageRecord("b", "m", "rationales", "ok", calls=2), wait=True)
    assert [r.calls for r in s.usage("ok")] == [2]
    await writer.close()


async def test_lazy_usage_is_summed_per_group_in_one_batch(tmp_path: Path) -> None:
    s = store(tmp_path)
    writer = BatchWriter(s, tick_s=60.0)  # nothing is written before the flush
    writer.start()
    hit = UsageRecord("b", "m", "rationales", "L", cache_hits=3)
    for _ in range(1000):
        await writer.write([], hit, wait=False)
    await writer.write([], UsageRecord("b", "m", "variants", "L", calls=1, cost_usd=0.5), wait=False)
    await writer.flush()
    with s.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(usage_table)).scalar_one()
    assert rows == 2
    assert [(r.endpoint, r.calls, r.cache_hits, r.cost_usd) for r in s.usage("L")] == [
        ("rationales", 0, 3000, 0.0),
        ("variants", 1, 0, 0.5),
    ]
    assert hit.cache_hits == 3  # the caller's record is not the running sum
    await writer.close()
