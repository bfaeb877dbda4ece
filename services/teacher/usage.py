"""``/v1/usage``: calls, cache hits, tokens and cost by backend, model, endpoint and run label."""

from __future__ import annotations

import asyncio

from fdd.wire.teacher import UsageDelta, UsageReport, UsageRow
from teacher.core import Teacher


async def usage_report(teacher: Teacher, label: str | None = None) -> UsageReport:
    """The usage ledger summed per (backend, model, endpoint, label), with totals; only ``label`` if given."""
    await teacher.writer.flush()  # rows of cache-only requests are committed lazily
    records = await asyncio.to_thread(teacher.store.usage, label)
    rows = [UsageRow(**vars(r)) for r in records]
    totals = UsageDelta(
        calls=sum(r.calls for r in rows),
        cache_hits=sum(r.cache_hits for r in rows),
        prompt_tokens=sum(r.prompt_tokens for r in rows),
        completion_tokens=sum(r.completion_tokens for r in rows),
        cost_usd=round(sum(r.cost_usd for r in rows), 8),
    )
    return UsageReport(rows=rows, totals=totals)
