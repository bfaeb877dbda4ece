"""The demo's GENERATE stage against the real teacher: the synthetic teacher writing in the event loop vs in
processes of its own (``FDD_TEACHER_SYNTHETIC_PROCESSES``, ``--processes 0,1``), side by side in one run.

Starts ``fdd-teacher`` (synthetic backend, SQLite cache, a fresh one per configuration, so every sample
is a miss) and sends what the orchestrator sends in a demo round: ``/v1/variants`` requests of 32
curriculum problems of 1–3 steps, half ``complex`` and half ``similar``, n = 1, k = 3, min_agree = 2,
``--concurrency`` requests in flight (the orchestrator's ``driver_teacher_concurrency``). Prints the wall
time, new problems/s, the teacher's CPU seconds (with its sandbox workers and writing processes) and
the ratio; the configurations alternate for ``--rounds``.

    .venv/bin/python bench/bench_teacher_generate.py [--problems 1024] [--rounds 2] [--processes 0,1,2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_teacher import tree_cpu_seconds  # noqa: E402

from fdd.curriculum.generate import generate  # noqa: E402
from tests.fixtures.processes import SERVICE_AUTH, VENV_BIN, free_port, spawn, wait_http  # noqa: E402

CHUNK = 32


def bodies(problems: int, seed: int) -> list[dict]:
    """The GENERATE requests of ``problems`` source problems: chunks of 32, complex and similar in turn."""
    rng = random.Random(seed)
    sources = []
    for i in range(problems):
        problem = generate(rng, rng.choice([1, 2, 3]), distractor_rate=0.0)
        sources.append({"id": str(i), "text": problem.text, "program": problem.program,
                        "answer": float(problem.answer)})  # fmt: skip
    return [
        {"problems": sources[start : start + CHUNK], "kind": ("complex", "similar")[(start // CHUNK) % 2],
         "n": 1, "k": 3, "min_agree": 2, "sampling": {"temperature": 0.7, "seed": 11}}
        for start in range(0, len(sources), CHUNK)
    ]  # fmt: skip


async def send_all(url: str, requests: list[dict], concurrency: int) -> tuple[int, int]:
    """Send every request, ``concurrency`` in flight; (new problems, accepted ones)."""
    queue = list(requests)
    made = accepted = 0
    async with httpx.AsyncClient(base_url=url, headers=SERVICE_AUTH, timeout=600) as client:

        async def worker() -> None:
            nonlocal made, accepted
            while queue:
                body = queue.pop()
                response = await client.post("/v1/variants", json=body)
                response.raise_for_status()
                problems = response.json()["problems"]
                made += len(problems)
                accepted += sum(p["accepted"] for p in problems)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return made, accepted


def run_config(
    processes: int, requests: list[dict], concurrency: int, logs: Path
) -> tuple[float, float, int]:
    port = free_port()
    env = {
        "FDD_TEACHER_BACKEND": "synthetic",
        "FDD_TEACHER_SYNTHETIC_PROCESSES": str(processes),
        "FDD_TEACHER_DATABASE_URL": f"sqlite:///{logs / f'teacher-{processes}-{port}.db'}",
        "FDD_TEACHER_PORT": str(port),
        "FDD_TEACHER_LOG_LEVEL": "WARNING",
    }
    teacher = spawn([str(VENV_BIN / "fdd-teacher")], env, logs / f"teacher-{processes}.log")
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/healthz", teacher)
        asyncio.run(send_all(url, requests[:1], 1))  # start-up: the sandbox and the writing pool
        cpu = tree_cpu_seconds(teacher.popen.pid)
        started = time.monotonic()
        made, accepted = asyncio.run(send_all(url, requests[1:], concurrency))
        wall = time.monotonic() - started
        cpu = tree_cpu_seconds(teacher.popen.pid) - cpu
    finally:
        teacher.stop()
    return wall, cpu, accepted


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--problems", type=int, default=1024, help="source problems per configuration")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--processes", default="0,1", help="configurations, the first is the baseline")
    args = parser.parse_args()
    configs = [int(p) for p in args.processes.split(",")]
    print(f"load at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    requests = bodies(args.problems + CHUNK, seed=5)
    results: dict[int, list[tuple[float, float, int]]] = {p: [] for p in configs}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            for processes in configs if r % 2 == 0 else configs[::-1]:
                wall, cpu, accepted = run_config(processes, requests, args.concurrency, Path(tmp))
                results[processes].append((wall, cpu, accepted))
                print(f"round {r} processes={processes}: {wall:.2f} s, {args.problems / wall:.0f} sources/s, "
                      f"teacher CPU {cpu:.1f} s, {accepted} accepted", flush=True)  # fmt: skip
    base = statistics.median(w for w, _, _ in results[configs[0]])
    print()
    for processes in configs:
        wall = statistics.median(w for w, _, _ in results[processes])
        print(
            f"median wall, processes={processes}: {wall:.2f} s = {base / wall:.2f}x of processes={configs[0]}"
        )
    same = len({tuple(a for _, _, a in runs) for runs in results.values()}) == 1
    print(f"the same problems accepted in every configuration: {same}")
    print(f"load at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
