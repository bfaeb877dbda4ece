"""The demo's GENERATE stage against the real teacher: the synthetic teacher writing in the event loop vs in
processes of its own (``FDD_TEACHER_SYNTHETIC_PROCESSES``, ``--processes 0,1``), side by side in one run.

Starts ``fdd-teacher`` (synthetic backend, SQLite cache, a fresh one per configuration, so every sample
is a miss) and sends what the orchestrator sends in a demo: INIT's ``/v1/rationales`` for curriculum
problems of 1–3 steps (k = 2; untimed), then, with the first program INIT kept for each as its parent
program, GENERATE's ``/v1/variants`` requests of 32 of them, half ``complex`` and half ``similar``,
n = 1, k = 3, min_agree = 2, ``--concurrency`` requests in flight (the orchestrator's
``driver_teacher_concurrency``). Prints GENERATE's wall time, sources/s, the teacher's CPU seconds (with
its sandbox workers and writing processes) and the ratio; the configurations alternate for ``--rounds``.

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


def seeds(problems: int, seed: int) -> list[dict]:
    """``problems`` curriculum problems of 1–3 steps, as the orchestrator sends them to INIT."""
    rng = random.Random(seed)
    out = []
    for i in range(problems):
        problem = generate(rng, rng.choice([1, 2, 3]), distractor_rate=0.0)
        out.append({"id": str(i), "text": problem.text, "gold": float(problem.answer)})
    return out


def init_bodies(sources: list[dict]) -> list[dict]:
    """INIT's requests: k = 2 rationales of each seed."""
    return [
        {"problems": sources[start : start + CHUNK], "k": 2, "sampling": {"temperature": 0.7, "seed": 3}}
        for start in range(0, len(sources), CHUNK)
    ]


def generate_bodies(sources: list[dict], programs: dict[str, str]) -> list[dict]:
    """GENERATE's requests: chunks of 32 sources with the program INIT kept for each (none when INIT kept
    none), complex and similar in turn."""
    parents = [
        {"id": p["id"], "text": p["text"], "program": programs.get(p["id"]), "answer": p["gold"]}
        for p in sources
    ]
    return [
        {"problems": parents[start : start + CHUNK], "kind": ("complex", "similar")[(start // CHUNK) % 2],
         "n": 1, "k": 3, "min_agree": 2, "sampling": {"temperature": 0.7, "seed": 11}}
        for start in range(0, len(parents), CHUNK)
    ]  # fmt: skip


async def send_all(url: str, path: str, requests: list[dict], concurrency: int) -> list[dict]:
    """Send every request to ``path``, ``concurrency`` in flight; the responses."""
    queue = list(requests)
    answers: list[dict] = []
    async with httpx.AsyncClient(base_url=url, headers=SERVICE_AUTH, timeout=600) as client:

        async def worker() -> None:
            while queue:
                response = await client.post(path, json=queue.pop())
                response.raise_for_status()
                answers.append(response.json())

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return answers


def run_config(processes: int, sources: list[dict], concurrency: int, logs: Path) -> tuple[float, float, int]:
    """INIT, then GENERATE timed: (wall seconds, teacher CPU seconds, new problems accepted)."""
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
        inits = asyncio.run(send_all(url, "/v1/rationales", init_bodies(sources), concurrency))
        programs = {
            r["id"]: r["correct_programs"][0] for a in inits for r in a["results"] if r["correct_programs"]
        }
        requests = generate_bodies(sources, programs)
        cpu = tree_cpu_seconds(teacher.popen.pid)
        started = time.monotonic()
        answers = asyncio.run(send_all(url, "/v1/variants", requests, concurrency))
        wall = time.monotonic() - started
        cpu = tree_cpu_seconds(teacher.popen.pid) - cpu
    finally:
        teacher.stop()
    return wall, cpu, sum(p["accepted"] for a in answers for p in a["problems"])


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
    sources = seeds(args.problems, seed=5)
    results: dict[int, list[tuple[float, float, int]]] = {p: [] for p in configs}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            for processes in configs if r % 2 == 0 else configs[::-1]:
                wall, cpu, accepted = run_config(processes, sources, args.concurrency, Path(tmp))
                results[processes].append((wall, cpu, accepted))
                print(f"round {r} processes={processes}: GENERATE {wall:.2f} s, {args.problems / wall:.0f} "
                      f"sources/s, teacher CPU {cpu:.1f} s, {accepted} accepted", flush=True)  # fmt: skip
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
