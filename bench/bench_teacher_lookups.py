"""The teacher's cache reads from the database: concurrent lookups batched vs one query per problem.

A ``/v1/rationales`` or ``/v1/variants`` request draws every problem's samples concurrently; each draw
first asks the cache for its ``k`` keys. ``LookupBatcher`` (the production path) answers the lookups of
one burst with shared queries; the comparison sends each lookup as its own query from a worker thread,
as the sampler did before. The store is SQLite with every sample already written and the memory LRU
off, so each sample is read from the database. Both run side by side, ``--rounds`` times.

    .venv/bin/python bench/bench_teacher_lookups.py [--problems 2000] [--per-request 100] [--k 2]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fdd.wire.teacher import Sampling  # noqa: E402
from teacher.backends.base import Completion, TeacherBackend  # noqa: E402
from teacher.db import Store, make_engine  # noqa: E402
from teacher.sampling import Sampler  # noqa: E402
from teacher.settings import Price  # noqa: E402


class Instant(TeacherBackend):
    """Answers at once: only used to fill the cache."""

    name = "instant"
    model = "m"

    async def complete(self, messages, n, *, temperature, top_p, max_tokens, seed):  # type: ignore[no-untyped-def]
        return [Completion("ans = 1  # " + "x" * 300, 10, 5) for _ in range(n)]


class OneQueryEach:
    """The comparison: every lookup its own query, from a worker thread."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.queries = 0

    async def get_many(self, keys: Sequence[str]) -> dict[str, Completion]:
        self.queries += 1
        return await asyncio.to_thread(self.store.get_many, keys)


async def _pass(store: Store, prompts: list, k: int, per_request: int, batched: bool) -> tuple[float, int]:
    sampler = Sampler(Instant(), store, Price(), "v", cache=True, memory=0)
    if not batched:
        sampler.lookups = OneQueryEach(store)  # type: ignore[assignment]
    usage = sampler.usage_for("rationales", None)
    start = time.perf_counter()
    for i in range(0, len(prompts), per_request):
        await asyncio.gather(*(sampler.draw(p, k, Sampling(), usage) for p in prompts[i : i + per_request]))
    seconds = time.perf_counter() - start
    if usage.cache_hits != k * len(prompts) or usage.calls:
        raise SystemExit(f"expected {k * len(prompts)} cache hits and no call, got {usage}")
    return seconds, sampler.lookups.queries


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=2000)
    parser.add_argument("--per-request", type=int, default=100, help="problems in one request")
    parser.add_argument("--k", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(make_engine(f"sqlite:///{Path(tmp) / 'teacher.db'}"))
        store.create_tables()
        prompts = [[{"role": "user", "content": f"problem {i}"}] for i in range(args.problems)]
        filler = Sampler(Instant(), store, Price(), "v", cache=True, memory=0)
        usage = filler.usage_for("rationales", None)
        await asyncio.gather(*(filler.draw(p, args.k, Sampling(), usage) for p in prompts))
        store.record(usage.new_entries, [])
        times: dict[str, list[float]] = {"batched": [], "one query each": []}
        queries: dict[str, int] = {}
        for _ in range(args.rounds):
            for name in times:
                seconds, queries[name] = await _pass(
                    store, prompts, args.k, args.per_request, name == "batched"
                )
                times[name].append(seconds)
        store.engine.dispose()
    print(f"{args.problems} problems in requests of {args.per_request}, k = {args.k}, all from the database")
    for name, values in times.items():
        ms = statistics.median(values) * 1000
        print(f"  {name:<15} {ms:8.1f} ms (median of {args.rounds})  {queries[name]:5d} queries")
    ratio = statistics.median(times["one query each"]) / statistics.median(times["batched"])
    print(f"batched vs one query each: {ratio:.1f}x")


if __name__ == "__main__":
    asyncio.run(main())
