"""Benchmark of the teacher service against an instant local fake upstream, side by side in one run.

Starts the fake OpenAI-compatible server (``tests/fixtures/fake_llm.py``) and the real ``fdd-teacher``
(``openai`` backend, SQLite cache) as processes, then measures with the same request shape (one problem,
``k`` samples — one upstream call with ``n=k``):

- direct: chat-completions calls straight to the fake (the baseline);
- teacher, cache misses: ``/v1/rationales`` with new problems (upstream call, program extraction,
  sandboxed execution, answer check, cache and usage writes);
- teacher, cache hits: the same requests again (no upstream call, no execution of new programs);

misses at ``--concurrency`` requests in flight and one at a time (pure added latency), hits one at a
time, from a Python client; it prints completions/s, latency p50/p99 and the ratios. Cache hits at 64
connections come from ``wrk`` (``teacher_hits.py``): a Python client saturates first on 2 cores. There,
configurations that differ in one setting (response replay on/off, uvicorn's HTTP stack, log level) run
side by side on the same cache, with the added latency against the same handler logic called in process.
Run: ``.venv/bin/python bench/bench_teacher.py`` (``apt-get install wrk`` for the hit table).
"""

from __future__ import annotations

import argparse
import asyncio
import json
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

import teacher_hits  # noqa: E402  (bench/ modules, after the root is on the path)
import wrk  # noqa: E402

from fdd.prompts import rationale_messages  # noqa: E402
from tests.fixtures.fake_llm import toy_problem  # noqa: E402
from tests.fixtures.processes import SERVICE_AUTH, VENV_BIN, free_port, spawn, wait_http  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU of ``root`` and its live descendants (the sandbox workers), from /proc."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / TICK
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(times.get(pid, 0.0) for pid in tree)


@dataclass
class Phase:
    name: str
    requests: int
    completions: int
    seconds: float
    latencies_ms: list[float]
    server_cpu_s: float = 0.0

    @property
    def cpu_ms_per_completion(self) -> float:
        return self.server_cpu_s * 1000 / self.completions

    @property
    def per_second(self) -> float:
        return self.completions / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def line(self) -> str:
        return (
            f"{self.name:<34} {self.requests:>6} req {self.completions:>7} compl {self.seconds:7.2f}s "
            f"{self.per_second:7.0f} compl/s  p50 {self.pct(0.5):7.2f} ms  p99 {self.pct(0.99):7.2f} ms  "
            f"server CPU {self.cpu_ms_per_completion:6.3f} ms/compl "
            f"= {1000 / self.cpu_ms_per_completion:6.0f} compl/s per core"
        )


async def run_phase(
    name: str, calls: list[Callable[[], Awaitable[int]]], concurrency: int, server_pid: int
) -> Phase:
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

    cpu = tree_cpu_seconds(server_pid)
    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    return Phase(name, len(calls), done, elapsed, latencies, tree_cpu_seconds(server_pid) - cpu)


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


async def measure(urls: tuple[str, str], pids: tuple[int, int], args: argparse.Namespace) -> list[Phase]:
    """direct / teacher miss at ``--concurrency``; direct / teacher miss / teacher hit one at a time."""
    (fake_url, teacher_url), (fake_pid, teacher_pid) = urls, pids
    size = args.concurrency * 2
    limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
    phases = []
    # the teacher requires the service token (``spawn`` gives it the tests' one); the fake ignores it
    async with httpx.AsyncClient(timeout=120, limits=limits, headers=SERVICE_AUTH) as client:

        def direct(batch: list[tuple[str, int]]) -> list[Callable[[], Awaitable[int]]]:
            return [direct_call(client, fake_url, t, args.k) for t, _ in batch]

        def teacher(batch: list[tuple[str, int]]) -> list[Callable[[], Awaitable[int]]]:
            return [teacher_call(client, teacher_url, t, args.k, g) for t, g in batch]

        await run_phase("warm-up", teacher(problems(10**6, 64)), 8, teacher_pid)
        for concurrency, batch in [
            (args.concurrency, problems(0, args.requests)),
            (1, problems(10**5, args.serial)),
        ]:
            c = f"c={concurrency}"
            phases.append(await run_phase(f"direct upstream  {c}", direct(batch), concurrency, fake_pid))
            phases.append(await run_phase(f"teacher miss     {c}", teacher(batch), concurrency, teacher_pid))
            if concurrency == 1:  # hits at 64 in flight: wrk, in teacher_hits
                phases.append(await run_phase(f"teacher hit      {c}", teacher(batch), 1, teacher_pid))
    return phases


def report(phases: list[Phase], args: argparse.Namespace) -> None:
    direct, miss, direct1, miss1, hit1 = phases
    print(f"\nshape: 1 problem x k={args.k} per request; {os.cpu_count()} CPUs (shared with other work)")
    for phase in phases:
        print(phase.line())
    print("\nratios")
    print(f"  teacher-miss / direct throughput      {miss.per_second / direct.per_second:6.2f}x")
    for label, a, b in [
        (f"c={args.concurrency}", miss, direct),
        ("c=1", miss1, direct1),
        ("c=1 hit", hit1, direct1),
    ]:
        print(
            f"  added latency {label:<9} p50 {a.pct(0.5) - b.pct(0.5):7.2f} ms  "
            f"p99 {a.pct(0.99) - b.pct(0.99):7.2f} ms"
        )
    cpu_miss, cpu_hit, cpu_fake = (p.cpu_ms_per_completion for p in (miss, hit1, direct))
    print(f"  teacher CPU per completion, miss / hit {cpu_miss / cpu_hit:6.2f}x")
    print(
        f"  teacher CPU / fake-upstream CPU  miss {cpu_miss / cpu_fake:5.2f}x  hit {cpu_hit / cpu_fake:5.2f}x"
    )
    print(f"\nload average during the run: {os.getloadavg()[0]:.1f} (1 min)")
    print("goals: >= 500 completions/s (miss), added p50 < 5 ms, on 2 cores")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=640, help="requests per concurrent phase")
    parser.add_argument("--serial", type=int, default=100, help="requests per one-at-a-time phase")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--k", type=int, default=8, help="samples per request")
    parser.add_argument("--hit-bodies", type=int, default=256, help="distinct cached bodies wrk sends")
    parser.add_argument("--hit-seconds", type=float, default=5.0, help="length of one wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="wrk runs per hit configuration")
    args = parser.parse_args()
    print(f"load at start: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
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
        try:
            teacher = spawn([str(VENV_BIN / "fdd-teacher")], env, logs / "teacher.log")
            try:
                teacher_url = f"http://127.0.0.1:{teacher_port}"
                wait_http(f"{teacher_url}/healthz", teacher)
                fake_url = f"http://127.0.0.1:{fake_port}/v1"
                pids = (fake.popen.pid, teacher.popen.pid)
                phases = asyncio.run(measure((fake_url, teacher_url), pids, args))
            finally:
                teacher.stop()
            report(phases, args)
            if not wrk.available():
                print("\ncache hits at c=64: skipped, wrk is not installed (apt-get install wrk)")
                return
            cached = problems(0, min(args.hit_bodies, args.requests))  # every sample cached by the misses
            bodies = [hit_body(text, gold, args.k) for text, gold in cached]
            teacher_hits.measure(env, logs, bodies, args.k, args.hit_seconds, args.rounds, tree_cpu_seconds)
            print("goals: >= 3000 hits/s at c=64 with added p50 < 5 ms")
        finally:
            fake.stop()
    print(f"load at end: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


def hit_body(text: str, gold: int, k: int) -> bytes:
    """The body ``teacher_call`` sends, as the bytes wrk will send (replays are kept by exact body)."""
    request = {"problems": [{"id": "p", "text": text, "gold": gold}], "k": k, "label": "bench"}
    return json.dumps(request).encode()


if __name__ == "__main__":
    main()
