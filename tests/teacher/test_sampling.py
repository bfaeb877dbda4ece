"""The sampler: cache keys, the memory + database cache, coalescing of identical draws in flight."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest

from fdd.prompts import rationale_messages
from fdd.wire.teacher import Sampling
from teacher.backends.base import BackendError, Completion, TeacherBackend
from teacher.db import CacheEntry, Store, make_engine
from teacher.sampling import LookupBatcher, Sampler, cache_key, cache_keys
from teacher.settings import Price

pytestmark = pytest.mark.anyio
MESSAGES = [{"role": "user", "content": "Task: rationale\n<problem>Add 1 and 2.</problem>"}]


class CountingBackend(TeacherBackend):
    """Answers after a short pause; fails while ``failing`` is set; counts its calls."""

    name = "counting"
    model = "m"

    def __init__(self) -> None:
        self.calls = 0
        self.failing = False

    async def complete(self, messages, n, *, temperature, top_p, max_tokens, seed):  # type: ignore[no-untyped-def]
        self.calls += 1
        await asyncio.sleep(0.05)
        if self.failing:
            raise BackendError("upstream down", retryable=True)
        return [Completion(f"answer {self.calls}.{i} seed={seed}", 10, 5) for i in range(n)]


def sampler(tmp_path: Path, backend: TeacherBackend, cache: bool = True) -> Sampler:
    store = Store(make_engine(f"sqlite:///{tmp_path / 't.db'}"))
    store.create_tables()
    return Sampler(backend, store, Price(prompt=1.0, completion=1.0), "v", cache=cache, memory=100)


async def test_failure_in_flight_reaches_every_waiter_and_is_not_cached(tmp_path: Path) -> None:
    backend = CountingBackend()
    backend.failing = True
    s = sampler(tmp_path, backend)
    usages = [s.usage_for("rationales", None) for _ in range(4)]
    outcomes = await asyncio.gather(
        *(s.draw(MESSAGES, 2, Sampling(), u) for u in usages), return_exceptions=True
    )
    assert all(isinstance(o, BackendError) for o in outcomes)
    assert backend.calls == 1
    backend.failing = False
    drawn = await s.draw(MESSAGES, 2, Sampling(), usages[0])
    assert [d.cached for d in drawn] == [False, False]
    assert backend.calls == 2


async def test_partly_cached_request_asks_only_for_the_missing_samples(tmp_path: Path) -> None:
    backend = CountingBackend()
    s = sampler(tmp_path, backend)
    usage = s.usage_for("rationales", "r")
    first = await s.draw(MESSAGES, 2, Sampling(), usage)
    more = await s.draw(MESSAGES, 3, Sampling(), usage)
    assert [d.completion.text for d in more[:2]] == [d.completion.text for d in first]
    assert [d.cached for d in more] == [True, True, False]
    assert (backend.calls, usage.calls, usage.cache_hits, len(usage.new_entries)) == (2, 2, 2, 3)
    assert usage.cost_usd == pytest.approx((10 + 5) * 3 / 1e6)


async def test_disabled_cache_always_goes_upstream(tmp_path: Path) -> None:
    backend = CountingBackend()
    s = sampler(tmp_path, backend, cache=False)
    usage = s.usage_for("rationales", None)
    await s.draw(MESSAGES, 2, Sampling(), usage)
    await s.draw(MESSAGES, 2, Sampling(), usage)
    assert (backend.calls, usage.cache_hits, usage.new_entries) == (2, 0, [])


def test_cache_key_depends_on_every_part() -> None:
    base = ("b", "m", "v", MESSAGES, Sampling(), 0)
    variants = [
        ("b2", "m", "v", MESSAGES, Sampling(), 0),
        ("b", "m2", "v", MESSAGES, Sampling(), 0),
        ("b", "m", "v2", MESSAGES, Sampling(), 0),
        ("b", "m", "v", [{"role": "user", "content": "other"}], Sampling(), 0),
        ("b", "m", "v", MESSAGES, Sampling(temperature=0.1), 0),
        ("b", "m", "v", MESSAGES, Sampling(seed=1), 0),
        ("b", "m", "v", MESSAGES, Sampling(), 1),
    ]
    keys = {cache_key(*base)} | {cache_key(*v) for v in variants}
    assert len(keys) == 1 + len(variants)
    assert cache_key(*base) == cache_key(*base)


def test_cache_keys_are_those_of_the_stored_caches() -> None:
    """Keys written by earlier versions (whole material JSON-encoded at once) must still be found."""
    keys = cache_keys("openai", "gpt-4o-mini", "pot-v2", rationale_messages("Add 1 and 2."), Sampling(), 2)
    assert keys == [
        "470b03c971c7550b44afa1f03dd7c81f1046eca1cc6c11f62b9a4aeb9773e0ba",
        "6baa0ea3959083ec4a4cae77daa2b05f43ab8f9b1423375b23087a8568a7d366",
    ]
    odd = [{"role": "user", "content": 'é "x"\n'}]
    assert cache_keys("b", "m", "v", odd, Sampling(seed=3, temperature=0.0), 1) == [
        "67152e8a136939bb551734b0df607ff34e232b7db6d966ecc08c6961867041fd"
    ]


def stored_completions(tmp_path: Path, n: int) -> tuple[Store, list[str]]:
    """A store holding ``n`` completions under keys k0 … k{n-1}."""
    store = Store(make_engine(f"sqlite:///{tmp_path / 'lookups.db'}"))
    store.create_tables()
    keys = [f"k{i}" for i in range(n)]
    store.record([CacheEntry(k, "b", "m", "v", Completion(f"text {k}", 1, 1)) for k in keys], [])
    return store, keys


async def test_concurrent_lookups_share_database_queries(tmp_path: Path) -> None:
    store, keys = stored_completions(tmp_path, 60)
    lookups = LookupBatcher(store.get_many)
    asked = [[keys[i], keys[i + 1], f"absent{i}"] for i in range(0, 60, 2)]  # 30 lookups
    answers = await asyncio.gather(*(lookups.get_many(a) for a in asked))
    for a, answer in zip(asked, answers, strict=True):
        assert {k: c.text for k, c in answer.items()} == {a[0]: f"text {a[0]}", a[1]: f"text {a[1]}"}
    assert lookups.queries == 1
    alone = await lookups.get_many([keys[5]])
    assert list(alone) == [keys[5]]
    assert lookups.queries == 2


async def test_lookups_past_max_keys_take_more_queries(tmp_path: Path) -> None:
    store, keys = stored_completions(tmp_path, 40)
    lookups = LookupBatcher(store.get_many, max_keys=10)
    answers = await asyncio.gather(*(lookups.get_many(keys[i : i + 4]) for i in range(0, 40, 4)))
    assert [sorted(a) for a in answers] == [sorted(keys[i : i + 4]) for i in range(0, 40, 4)]
    assert lookups.queries == 5  # 10 lookups of 4 keys, two a query


async def test_a_failed_query_fails_only_the_lookups_it_carried(tmp_path: Path) -> None:
    store, keys = stored_completions(tmp_path, 4)
    failing = {"on": True}

    def get_many(wanted: Sequence[str]) -> dict[str, Completion]:
        if failing["on"]:
            failing["on"] = False
            raise OSError("database gone")
        return store.get_many(wanted)

    lookups = LookupBatcher(get_many)
    outcomes = await asyncio.gather(*(lookups.get_many([k]) for k in keys), return_exceptions=True)
    assert all(isinstance(o, OSError) for o in outcomes)
    assert list(await lookups.get_many(keys[:2])) == keys[:2]


async def test_a_request_of_many_problems_reads_the_cache_in_few_queries(tmp_path: Path) -> None:
    backend = CountingBackend()
    s = sampler(tmp_path, backend)
    prompts = [[{"role": "user", "content": f"problem {i}"}] for i in range(40)]
    usage = s.usage_for("rationales", None)
    await asyncio.gather(*(s.draw(p, 2, Sampling(), usage) for p in prompts))
    s.store.record(usage.new_entries, [])
    fresh = sampler(tmp_path, backend)  # empty memory: every sample from the database
    again = fresh.usage_for("rationales", None)
    drawn = await asyncio.gather(*(fresh.draw(p, 2, Sampling(), again) for p in prompts))
    assert all(d.cached for ds in drawn for d in ds)
    assert (backend.calls, again.cache_hits) == (40, 80)
    assert fresh.lookups.queries == 1
