"""Benchmark of the orchestrator's database paths, measured side by side in one run on real Postgres.

1. Import N problems (default 100k) as a dataset through the service layer (bulk multi-row INSERTs),
   against an ORM ``session.add`` per row on a 10k subsample, extrapolated.        goal: < 20 s
2. Write N difficulty labels for one round (``problems.service.record_labels``), then the same write
   again (every row a conflict: the crash-replay case).                            goal: < 10 s
3. List a run's problems (``GET /v1/runs/{id}/problems?limit=100``, random cursors) with the app under
   uvicorn in a subprocess: p50/p99 for 1 client, then for 32 concurrent clients.

    .venv/bin/python bench/bench_orchestrator.py [--n 100000] [--requests 1600] [--workers 1]
        [--database-url URL]

Without --database-url a fresh Postgres database is created (tests.fixtures.servers) and dropped after.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fdd.datasets import Problem  # noqa: E402
from orchestrator.datasets.models import DatasetProblem  # noqa: E402
from orchestrator.datasets.service import import_problems  # noqa: E402
from orchestrator.db import make_engine, make_sessionmaker  # noqa: E402
from orchestrator.enums import LabelValue  # noqa: E402
from orchestrator.migrate import upgrade  # noqa: E402
from orchestrator.problems.repository import insert_problems  # noqa: E402
from orchestrator.problems.schemas import LabelWrite  # noqa: E402
from orchestrator.problems.service import record_labels  # noqa: E402
from orchestrator.runs.models import Round, Run  # noqa: E402
from tests.fixtures.servers import fresh_postgres_database  # noqa: E402

TOKEN = "bench-token"


def synthetic(n: int, offset: int = 0) -> list[Problem]:
    names = ["Tom", "Ann", "Raj", "Mia", "Leo", "Zoe"]
    return [
        Problem(
            id=f"bench/{i}",
            question=f"{names[i % 6]} has {i} apples and buys {i % 97 + 1} more. How many apples now?",
            answer=i + i % 97 + 1,
            source="bench",
            meta={"steps": 1 + i % 3},
        )
        for i in range(offset, offset + n)
    ]


def timed(label: str, fn, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn(*args)
    seconds = time.perf_counter() - start
    print(f"  {label:<52} {seconds:8.2f} s")
    return seconds, result


def bench_import(maker, n: int) -> None:  # type: ignore[no-untyped-def]
    print(f"1. dataset import of {n:,} problems")
    problems = synthetic(n)

    def bulk() -> None:
        with maker.begin() as session:
            import_problems(session, "bench-bulk", "jsonl", problems, {})

    bulk_s, _ = timed("service layer (bulk: COPY on Postgres)", bulk)
    sample = min(n, 10_000)
    orm_problems = synthetic(sample, offset=n)

    def orm() -> None:
        with maker.begin() as session:
            dataset = import_problems(session, "bench-orm", "jsonl", orm_problems[:1], {})
            for p in orm_problems[1:]:
                session.add(
                    DatasetProblem(
                        dataset_id=dataset.id,
                        external_id=p.id,
                        question=p.question,
                        answer=float(p.answer),
                        content_hash=p.content_hash,
                        meta=p.meta,
                    )
                )
                session.flush()  # fmt: skip

    orm_s, _ = timed(f"ORM add+flush per row ({sample:,} rows)", orm)
    orm_full = orm_s * n / sample
    verdict = "OK" if bulk_s < 20 else "MISSED"
    print(f"  -> bulk {n / bulk_s:,.0f} rows/s; ORM per row extrapolated {orm_full:.1f} s;")
    print(f"     bulk is {orm_full / bulk_s:.1f}x faster; goal < 20 s: {verdict}")


def make_pool(maker, n: int) -> tuple[int, int, list[int]]:  # type: ignore[no-untyped-def]
    with maker.begin() as session:
        run = Run(name="bench", config={"rounds": 3}, status="running", stage="classify", current_round=0)
        session.add(run)
        session.flush()
        round_ = Round(run_id=run.id, index=0)
        session.add(round_)
        session.flush()
        rows = (
            {"run_id": run.id, "external_id": p.id, "question": p.question, "answer": float(p.answer),
             "content_hash": p.content_hash, "origin": "seed", "role": "train", "answer_source": "gold",
             "round_created": 0, "steps": p.meta["steps"], "meta": {}}
            for p in synthetic(n)
        )  # fmt: skip
        insert_problems(session, rows)
        ids = list(
            session.scalars(sa.text("SELECT id FROM problems WHERE run_id = :r ORDER BY id"), {"r": run.id})
        )
    return run.id, round_.id, ids


def bench_labels(maker, n: int) -> int:  # type: ignore[no-untyped-def]
    print(f"2. {n:,} difficulty labels for one round")
    pool_s, (run_id, round_id, ids) = timed(
        f"run pool of {n:,} problems (insert_problems)", make_pool, maker, n
    )
    labels = [LabelWrite(problem_id=pid, label=LabelValue.EASY if pid % 3 else LabelValue.HARD,
                         pass_rate=float(pid % 2)) for pid in ids]  # fmt: skip

    def write() -> int:
        with maker.begin() as session:
            return record_labels(session, round_id, labels)

    first_s, written = timed("record_labels (new)", write)
    again_s, rewritten = timed("record_labels again (all conflicts, replay)", write)
    assert (written, rewritten) == (n, 0), (written, rewritten)
    print(f"  -> {n / first_s:,.0f} labels/s; replay/new time ratio {again_s / first_s:.2f}; "
          f"goal < 10 s: {'OK' if first_s < 10 else 'MISSED'}")  # fmt: skip
    return run_id


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(url: str, workers: int) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "FDD_ORCHESTRATOR_DATABASE_URL": url,
        "FDD_ORCHESTRATOR_DRIVER_ENABLED": "false",
        "FDD_ORCHESTRATOR_ADMIN_TOKEN": TOKEN,
        "FDD_ORCHESTRATOR_LOG_LEVEL": "WARNING",
    }
    app = "orchestrator.app:create_app"
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--factory",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    command += ["--log-level", "warning", "--no-access-log"]
    process = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


async def listing_latencies(base: str, run_id: int, ids: list[int], clients: int, total: int) -> list[float]:
    rng = random.Random(clients)
    latencies: list[float] = []

    async def client(count: int) -> None:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
            for _ in range(count):
                params = {"limit": 100, "cursor": rng.choice(ids)}
                start = time.perf_counter()
                response = await http.get(f"/v1/runs/{run_id}/problems", params=params)
                latencies.append(time.perf_counter() - start)
                response.raise_for_status()

    await asyncio.gather(*(client(total // clients) for _ in range(clients)))
    return latencies


def quantile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q * 100) - 1]


def bench_listing(url: str, run_id: int, requests: int, workers: int) -> None:
    print(
        f"3. GET /v1/runs/{{id}}/problems?limit=100, uvicorn with {workers} worker(s), {requests:,} requests"
    )
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        ids = list(conn.scalars(sa.text("SELECT id FROM problems WHERE run_id = :r"), {"r": run_id}))
    engine.dispose()
    with serve(url, workers) as base:
        asyncio.run(listing_latencies(base, run_id, ids, 4, 40))  # warm-up
        results = {}
        for clients in (1, 32):
            start = time.perf_counter()
            lat = asyncio.run(listing_latencies(base, run_id, ids, clients, requests if clients > 1 else 200))
            wall = time.perf_counter() - start
            results[clients] = (quantile(lat, 0.5), quantile(lat, 0.99), len(lat) / wall)
            p50, p99, rps = results[clients]
            figures = f"p50 {p50 * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms  {rps:7.1f} req/s"
            print(f"  {clients:>2} client(s): {figures}")
    (p50_1, p99_1, rps_1), (p50_32, p99_32, rps_32) = results[1], results[32]
    print(f"  -> 32 clients: p99 {p99_32 / p99_1:.1f}x and p50 {p50_32 / p50_1:.1f}x the 1-client figures; "
          f"throughput {rps_32 / rps_1:.1f}x")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=1600)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--workers", type=int, default=1, help="uvicorn worker processes for the listing test"
    )
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        url = args.database_url or stack.enter_context(fresh_postgres_database("fdd_bench"))
        upgrade(url)
        engine = make_engine(url)
        maker = make_sessionmaker(engine)
        where = engine.url.render_as_string(hide_password=True)
        print(f"orchestrator benchmark on {where} (cpus: {os.cpu_count()}, load: {os.getloadavg()[0]:.1f})")
        bench_import(maker, args.n)
        run_id = bench_labels(maker, args.n)
        engine.dispose()
        bench_listing(url, run_id, args.requests, args.workers)


if __name__ == "__main__":
    main()
