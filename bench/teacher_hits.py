"""The cache-hit part of ``bench_teacher.py``: wrk at 64 connections against teacher processes that differ
in one setting, side by side, and the same handler logic called in process for the added latency.

Every configuration is a real ``fdd-teacher`` (or uvicorn) process on the same SQLite cache, already
holding every body's samples. Rounds interleave the configurations so that other load on the machine
falls on all of them alike. "Added" latency is wrk's percentile minus the percentile of
``teacher.api.rationales_json`` (everything the endpoint does past HTTP) called by 64 tasks in process.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import wrk

from teacher.api import rationales_json
from teacher.settings import TeacherSettings
from tests.fixtures.processes import SERVICE_AUTH, SERVICE_TOKEN, VENV_BIN, Proc, free_port, spawn, wait_http
from tests.teacher.harness import running_app


@dataclass
class Config:
    name: str
    env: dict[str, str]
    uvicorn: list[str] | None = None  # run under the uvicorn CLI with these options instead of fdd-teacher
    replay: bool = True
    runs: list[wrk.WrkResult] = field(default_factory=list)
    cpu_s: float = 0.0
    proc: Proc | None = None
    url: str = ""


CONFIGS = [
    Config("replay front  httptools+uvloop", {}),  # the default: replays answered before routing
    Config("replay route  httptools+uvloop", {"FDD_TEACHER_REPLAY_FRONT": "false"}),
    Config("replay off    httptools+uvloop", {"FDD_TEACHER_REPLAY_MEMORY_MB": "0"}, replay=False),
    Config("replay front  h11+asyncio", {}, uvicorn=["--http", "h11", "--loop", "asyncio"]),
    Config("replay front  log level INFO", {"FDD_TEACHER_LOG_LEVEL": "INFO"}),
]


def start(config: Config, env: dict[str, str], logs: Path) -> None:
    port = free_port()
    full = {**env, "FDD_TEACHER_EXEC_WORKERS": "1", **config.env, "FDD_TEACHER_PORT": str(port)}
    if config.uvicorn is None:
        command = [str(VENV_BIN / "fdd-teacher")]
    else:
        app = ["teacher.app:create_app", "--factory", "--port", str(port), "--no-access-log"]
        command = [str(VENV_BIN / "uvicorn"), *app, "--log-level", "warning", *config.uvicorn]
    config.proc = spawn(command, full, logs / f"teacher-{port}.log")
    config.url = f"http://127.0.0.1:{port}"


async def warm(url: str, bodies: list[bytes]) -> None:
    """Each body twice: the first answer is read from the database and kept, the second replayed."""
    headers = {"content-type": "application/json", **SERVICE_AUTH}
    async with httpx.AsyncClient(timeout=60) as client:
        for _ in range(2):
            for body in bodies:
                (await client.post(f"{url}/v1/rationales", content=body, headers=headers)).raise_for_status()


async def in_process(settings: TeacherSettings, bodies: list[bytes], calls: int) -> list[float]:
    """Latencies (ms) of ``rationales_json`` for ``calls`` bodies, 64 tasks in a closed loop."""
    latencies: list[float] = []
    async with running_app(settings) as app:
        teacher = app.state.teacher
        for body in bodies * 2:
            await rationales_json(teacher, body)
        queue = [bodies[i % len(bodies)] for i in range(calls)]

        async def worker() -> None:
            while queue:
                body = queue.pop()
                start = time.perf_counter()
                await rationales_json(teacher, body)
                latencies.append((time.perf_counter() - start) * 1000)
                await asyncio.sleep(0)  # a hit never yields: let the 64 tasks take turns as requests would

        await asyncio.gather(*(worker() for _ in range(64)))
    return latencies


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(
    env: dict[str, str],
    logs: Path,
    bodies: list[bytes],
    k: int,
    seconds: float,
    rounds: int,
    cpu: Callable[[int], float],
) -> None:
    """Start every configuration, warm it, run the interleaved wrk rounds, print the table."""
    script = wrk.write_script(logs / "hits.lua", "/v1/rationales", bodies, SERVICE_TOKEN)
    try:
        for config in CONFIGS:
            start(config, env, logs)
        for config in CONFIGS:
            assert config.proc is not None
            wait_http(f"{config.url}/healthz", config.proc, timeout=120)
            asyncio.run(warm(config.url, bodies))
        for _ in range(rounds):
            for config in CONFIGS:
                assert config.proc is not None
                before = cpu(config.proc.popen.pid)
                config.runs.append(wrk.run(config.url, script, connections=64, seconds=seconds))
                config.cpu_s += cpu(config.proc.popen.pid) - before
    finally:
        for config in CONFIGS:
            if config.proc is not None:
                config.proc.stop()
    direct = {}
    for replay in (True, False):
        settings = TeacherSettings(
            backend="openai",
            openai_base_url=env["FDD_TEACHER_OPENAI_BASE_URL"],
            openai_model=env["FDD_TEACHER_OPENAI_MODEL"],
            database_url=env["FDD_TEACHER_DATABASE_URL"],
            exec_workers=1,
            replay_memory_mb=64.0 if replay else 0.0,
        )
        direct[replay] = asyncio.run(in_process(settings, bodies, 20_000 if replay else 5_000))
    report(bodies, k, seconds, rounds, direct)


def report(bodies: list[bytes], k: int, seconds: float, rounds: int, direct: dict[bool, list[float]]) -> None:
    print(
        f"\ncache hits: wrk, 64 connections, 2 threads, {len(bodies)} cached bodies of 1 problem x k={k}, "
        f"{rounds} interleaved rounds of {seconds:.0f} s per configuration (medians of the rounds)"
    )
    print(
        f"{'configuration':<30} {'req/s':>7} {'hits/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'CPU us/req':>10}  {'in-process p50/p99 ms':>21}  {'added p50/p99 ms':>16}"
    )
    for config in CONFIGS:
        rate = statistics.median(r.per_second for r in config.runs)
        p50 = statistics.median(r.p50_ms for r in config.runs)
        p99 = statistics.median(r.p99_ms for r in config.runs)
        requests = sum(r.requests for r in config.runs)
        errors = sum(r.socket_errors for r in config.runs)
        non2xx = sum(r.non2xx for r in config.runs)
        own = direct[config.replay]
        d50, d99 = pct(own, 0.5), pct(own, 0.99)
        print(
            f"{config.name:<30} {rate:7.0f} {rate * k:8.0f} {p50:7.2f} {p99:7.2f} "
            f"{config.cpu_s * 1e6 / requests:10.0f}  {d50:10.3f} / {d99:8.3f}  "
            f"{p50 - d50:7.2f} / {p99 - d99:6.2f}"
            + (f"  ({errors} socket errors/time-outs)" if errors else "")
            + (f"  ({non2xx} non-2xx)" if non2xx else "")
        )
    print("hits/s = req/s x k (samples served from the cache); CPU = teacher process tree per request")
