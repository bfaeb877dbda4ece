"""The teacher's own database: the persistent response cache and the usage ledger.

Two tables, created at start-up (``metadata.create_all``): ``teacher_cache`` (one row per completion,
keyed by the hash of backend, model, prompt version, messages, sampling parameters and sample index) and
``teacher_usage`` (one row per backend, model, endpoint and label in each write batch, with calls, cache
hits, tokens and cost). ``Store`` is synchronous SQLAlchemy Core; the service calls it from a worker
thread. Nothing here ever sees an API key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite

from fdd_web.database import UTCDateTime
from fdd_web.database import make_engine as shared_make_engine
from teacher.backends.base import Completion

metadata = MetaData()

cache_table = Table(
    "teacher_cache",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("backend", String(50), nullable=False),
    Column("model", String(200), nullable=False),
    Column("prompt_version", String(50), nullable=False),
    Column("text", Text, nullable=False),
    Column("prompt_tokens", Integer, nullable=False),
    Column("completion_tokens", Integer, nullable=False),
    Column("finish_reason", String(50), nullable=False),
    Column("created_at", UTCDateTime(timezone=True), nullable=False),
)

usage_table = Table(
    "teacher_usage",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", UTCDateTime(timezone=True), nullable=False),
    Column("backend", String(50), nullable=False),
    Column("model", String(200), nullable=False),
    Column("endpoint", String(50), nullable=False),
    Column("label", String(200), nullable=True, index=True),
    Column("calls", Integer, nullable=False),
    Column("cache_hits", Integer, nullable=False),
    Column("prompt_tokens", Integer, nullable=False),
    Column("completion_tokens", Integer, nullable=False),
    Column("cost_usd", Float, nullable=False),
)


@dataclass(frozen=True)
class CacheEntry:
    key: str
    backend: str
    model: str
    prompt_version: str
    completion: Completion


@dataclass
class UsageRecord:
    """Counters of one (backend, model, endpoint, label); also the shape ``Store.usage`` returns."""

    backend: str
    model: str
    endpoint: str
    label: str | None
    calls: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0

    def add(self, other: UsageRecord) -> None:
        """Add ``other``'s counters (of the same backend, model, endpoint and label) to these."""
        self.calls += other.calls
        self.cache_hits += other.cache_hits
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.cost_usd += other.cost_usd


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets a relaxed fsync (NORMAL) so cache writes stay cheap."""
    return shared_make_engine(url, pool_size=10, max_overflow=10, synchronous="NORMAL")


class Store:
    """Reads and writes of the cache and usage tables (synchronous: call it from a thread)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    def create_tables(self) -> None:
        metadata.create_all(self.engine)

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def get_many(self, keys: Sequence[str]) -> dict[str, Completion]:
        """The cached completions among ``keys``."""
        if not keys:
            return {}
        c = cache_table.c
        query = select(c.key, c.text, c.prompt_tokens, c.completion_tokens, c.finish_reason).where(
            c.key.in_(list(keys))
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return {
            row.key: Completion(row.text, row.prompt_tokens, row.completion_tokens, row.finish_reason)
            for row in rows
        }

    def record(self, entries: Iterable[CacheEntry], usage: Iterable[UsageRecord]) -> None:
        """Store new completions (first writer wins) and usage rows in one transaction."""
        now = datetime.now(UTC)
        cache_rows = [
            {
                "key": e.key,
                "backend": e.backend,
                "model": e.model,
                "prompt_version": e.prompt_version,
                "text": e.completion.text,
                "prompt_tokens": e.completion.prompt_tokens,
                "completion_tokens": e.completion.completion_tokens,
                "finish_reason": e.completion.finish_reason,
                "created_at": now,
            }
            for e in entries
        ]
        usage_rows = [{**vars(u), "created_at": now} for u in usage]
        if not cache_rows and not usage_rows:
            return
        with self.engine.begin() as conn:
            if cache_rows:
                conn.execute(
                    self._insert(cache_table).on_conflict_do_nothing(index_elements=["key"]), cache_rows
                )
            if usage_rows:
                conn.execute(usage_table.insert(), usage_rows)

    def usage(self, label: str | None = None) -> list[UsageRecord]:
        """Usage summed by backend, model, endpoint and label (only ``label`` when given)."""
        c = usage_table.c
        groups = (c.backend, c.model, c.endpoint, c.label)
        sums = [
            func.sum(col) for col in (c.calls, c.cache_hits, c.prompt_tokens, c.completion_tokens, c.cost_usd)
        ]
        query = select(*groups, *sums).group_by(*groups).order_by(*groups)
        if label is not None:
            query = query.where(c.label == label)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            UsageRecord(b, m, e, lab, int(calls), int(hits), int(pt), int(ct), float(cost))
            for b, m, e, lab, calls, hits, pt, ct, cost in rows
        ]
