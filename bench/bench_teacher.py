"""Benchmark of the teacher service against an instant local fake upstream, side by side in one run.

Starts the fake OpenAI-compatible server (``tests/fixtures/fake_llm.py``) and the real ``fdd-teacher``
(``openai`` backend, SQLite cache) as processes, then measures with the same request shape (one problem,
``k`` samples — one upstream call with ``n=k``):

- direct: chat-completions calls straight to the fake (the baseline);
- teacher, cache misses: ``/v1/rationales`` with new problems (upstream call, program extraction,
  sandboxed execution, answer check, cache and usage writes);
- teacher, cache hits: the same requests again (no upstream call, no execution of new programs);

each at ``--concurrency`` requests in flight and one at a time (pure added latency), and prints
completions/s, latency p50/p99 and the ratios. Run: ``.venv/bin/python bench/bench_teacher.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fdd.prompts import rationale_messages  # noqa: E402
from tests.fixtures.fake_llm import toy_problem  # noqa: E402
from tests.fixtures.processes import VENV_BIN, free_port, spawn, wait_http  # noqa: E402


@dataclass
class Phase:
    name: str
    requests: int
    completions: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.completions / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def line(self) -> str:
        return (
            f"{self.name:<34} {self.requests:>6} req {self.completions:>7} compl {self.seconds:7.2f}s "
            f"{self.per_second:9.0f} compl/s  p50 {self.pct(0.5):7.2f} ms  p99 {self.pct(0.99):7.2f} ms"
        )


async def run_phase(name: str, calls: list[Callable[[], Awaitable[int]]], concurrency: int) -> Phase:
    latencies: list[float] = []
    done = 0
    queue = list(reversed(calls))

    async def worker() -> None:
        nonlocal done
        while queue:
            call = queue.pop()
            start = time.perf_counter()
            count = await call()
            done += count
            latencies.append((time.perf_counter() - start) * 1000)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Phase(name, len(calls), done, time.perf_counter() - start, latencies)


def direct_call(client: httpx.AsyncClient, url: str, text: str, k: int) -> Callable[[], Awaitable[int]]:
    body = {"model": "fake-model", "messages": rationale_messages(text), "n": k, "temperature": 0.7}

    async def call() -> int:
        response = await client.post(f"{url}/chat/completions", json=body)
        response.raise_for_status()
        return len(response.json()["choices"])

    return call


def teacher_call(
    client: httpx.AsyncClient, url: str, text: str, k: int, gold: int
) -> Callable[[], Awaitable[int]]:
    body = {"problems": [{"id": "p", "text": text, "gold": gold}], "k": k, "label": "bench"}

    async def call() -> int:
        response = await client.post(f"{url}/v1/rationales", json=body)
        response.raise_for_status()
        samples = response.json()["results"][0]["samples"]
        assert all(s["correct"] for s in samples), samples[0]
        return len(samples)

    return call


def problems(start: int, count: int) -> list[tuple[str, int]]:
    return [(toy_problem([i, i + 1, i + 2]), 3 * i + 3) for i in range(start, start + count)]


async def measure(fake_url: str, teacher_url: str, args: argparse.Namespace) -> list[Phase]:
    limits = httpx.Limits(
        max_connections=args.concurrency * 2, max_keepalive_connections=args.concurrency * 2
    )
    phases = []
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        await run_phase(
            "warm-up", [teacher_call(client, teacher_url, t, args.k, g) for t, g in problems(10**6, 64)], 8
        )
        batch = problems(0, args.requests)
        direct = [direct_call(client, fake_url, t, args.k) for t, _ in batch]
        teacher = [teacher_call(client, teacher_url, t, args.k, g) for t, g in batch]
        phases.append(await run_phase(f"direct upstream  c={args.concurrency}", direct, args.concurrency))
        phases.append(await run_phase(f"teacher miss     c={args.concurrency}", teacher, args.concurrency))
        phases.append(await run_phase(f"teacher hit      c={args.concurrency}", teacher, args.concurrency))
        serial = problems(10**5, args.serial)
        phases.append(
            await run_phase(
                "direct upstream  c=1", [direct_call(client, fake_url, t, args.k) for t, _ in serial], 1
            )
        )
        phases.append(
            await run_phase(
                "teacher miss     c=1",
                [teacher_call(client, teacher_url, t, args.k, g) for t, g in serial],
                1,
            )
        )
        phases.append(
            await run_phase(
                "teacher hit      c=1",
                [teacher_call(client, teacher_url, t, args.k, g) for t, g in serial],
                1,
            )
        )
    return phases


def report(phases: list[Phase], args: argparse.Namespace) -> None:
    direct, miss, hit, direct1, miss1, hit1 = phases
    print(f"\nshape: 1 problem x k={args.k} per request; {os.cpu_count()} CPUs (shared with other work)")
    for phase in phases:
        print(phase.line())
    print("\nratios")
    print(f"  teacher-miss / direct throughput      {miss.per_second / direct.per_second:6.2f}x")
    print(f"  teacher-hit  / direct throughput      {hit.per_second / direct.per_second:6.2f}x")
    print(f"  teacher-hit  / teacher-miss           {hit.per_second / miss.per_second:6.2f}x")
    for label, a, b in [
        (f"c={args.concurrency}", miss, direct),
        ("c=1", miss1, direct1),
        ("c=1 hit", hit1, direct1),
    ]:
        print(
            f"  added latency {label:<9} p50 {a.pct(0.5) - b.pct(0.5):7.2f} ms  "
            f"p99 {a.pct(0.99) - b.pct(0.99):7.2f} ms"
        )
    print("\ngoals: >= 500 completions/s (miss), >= 3000/s (hit), added p50 < 5 ms")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=640, help="requests per concurrent phase")
    parser.add_argument("--serial", type=int, default=100, help="requests per one-at-a-time phase")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--k", type=int, default=8, help="samples per request")
    args = parser.parse_args()
    fake_port, teacher_port = free_port(), free_port()
    with tempfile.TemporaryDirectory() as tmp:
        logs = Path(tmp)
        fake = spawn(
            [sys.executable, "-m", "tests.fixtures.fake_llm", "--port", str(fake_port)],
            {"PYTHONPATH": str(ROOT)},
            logs / "fake.log",
        )
        env = {
            "FDD_TEACHER_BACKEND": "openai",
            "FDD_TEACHER_OPENAI_BASE_URL": f"http://127.0.0.1:{fake_port}/v1",
            "FDD_TEACHER_OPENAI_MODEL": "fake-model",
            "FDD_TEACHER_OPENAI_MAX_CONCURRENCY": str(args.concurrency),
            "FDD_TEACHER_DATABASE_URL": f"sqlite:///{logs / 'teacher.db'}",
            "FDD_TEACHER_PORT": str(teacher_port),
            "FDD_TEACHER_LOG_LEVEL": "WARNING",
        }
        teacher = spawn([str(VENV_BIN / "fdd-teacher")], env, logs / "teacher.log")
        try:
            teacher_url = f"http://127.0.0.1:{teacher_port}"
            wait_http(f"{teacher_url}/healthz", teacher)
            fake_url = f"http://127.0.0.1:{fake_port}/v1"
            phases = asyncio.run(measure(fake_url, teacher_url, args))
        finally:
            teacher.stop()
            fake.stop()
        report(phases, args)


if __name__ == "__main__":
    main()
