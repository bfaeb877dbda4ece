"""The group-commit writer: paid-for rows are durable before ``write`` returns; cache-only rows at flush."""

from __future__ import annotations

from pathlib import Path

import pytest

from teacher.backends.base import Completion
from teacher.db import CacheEntry, Store, UsageRecord, make_engine
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
