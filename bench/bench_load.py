"""Load on loopback, bounded: the orchestrator's read API under 200 connections, the teacher's cache hits.

1. Orchestrator (``fdd-orchestrator``, fresh Postgres, driver off): ``--runs`` runs created through the
   API and one run holding ``--problems`` problems (bulk insert, as bench_orchestrator.py does); then
   Debian's ``wrk`` with 200 connections for 60 s, cycling the GET endpoints: run list, run read, a page
   of problems (``limit=100``).
2. Teacher (``fdd-teacher``, synthetic backend, SQLite cache): ``--bodies`` request bodies answered
   once (cached), then ``wrk`` sends about 10,000 requests of those bodies (wrk runs for a duration:
   a 5 s probe sets it from the rate, at most 300 s).

For each it prints requests, req/s, latency p50/p99 and errors (socket errors incl. time-outs after
``--timeout`` s, non-2xx). The figures
depend on what else runs on the machine: the load average is printed beside them.

    .venv/bin/python bench/bench_load.py [--connections 200] [--seconds 60] [--teacher-requests 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

import httpx
import sqlalchemy as sa
import wrk

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_orchestrator import synthetic  # noqa: E402

from fdd.curriculum import problem_for_seed  # noqa: E402
from orchestrator.db import make_engine, make_sessionmaker  # noqa: E402
from orchestrator.migrate import upgrade  # noqa: E402
from orchestrator.problems.repository import insert_problems  # noqa: E402
from tests.fixtures.processes import SERVICE_AUTH, SERVICE_TOKEN, running_service  # noqa: E402
from tests.fixtures.servers import fresh_postgres_database  # noqa: E402

TOKEN = "bench-load-token"
_GETS = """
local paths = {%(paths)s}
local i = 0
local threads = 0
wrk.headers["Authorization"] = "Bearer %(token)s"
setup = function(thread)
  thread:set("offset", threads)
  threads = threads + 1
end
init = function(args) i = offset or 0 end
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def run_wrk(url: str, script: Path, connections: int, seconds: float, timeout_s: int) -> wrk.WrkResult:
    """``wrk.run`` with a request time-out (wrk's default, 2 s, counts every slower answer as an error)."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", f"--timeout={timeout_s}s"]
    out = subprocess.run(
        [*command, "-s", str(script), url], capture_output=True, text=True, check=True
    ).stdout
    data = json.loads(next(line for line in out.splitlines() if line.startswith("WRK "))[4:])
    return wrk.WrkResult(
        requests=data["requests"], seconds=data["duration_us"] / 1e6, p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000, socket_errors=data["errors"], non2xx=data["non2xx"],
    )  # fmt: skip


def show(name: str, result: wrk.WrkResult) -> None:
    print(
        f"{name}: {result.requests:,} requests in {result.seconds:.1f} s, {result.per_second:,.0f} req/s, "
        f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, errors: {result.socket_errors} socket, "
        f"{result.non2xx} non-2xx   (load average {os.getloadavg()[0]:.1f})"
    )


def seed_problems(url: str, run_id: int, n: int) -> list[int]:
    """``n`` seed problems in the (API-created) run, inserted in bulk; their ids in order."""
    engine = make_engine(url)
    with make_sessionmaker(engine).begin() as session:
        rows = (
            {"run_id": run_id, "external_id": p.id, "question": p.question, "answer": float(p.answer),
             "content_hash": p.content_hash, "origin": "seed", "role": "train", "answer_source": "gold",
             "round_created": 0, "steps": p.meta["steps"], "meta": {}}
            for p in synthetic(n)
        )  # fmt: skip
        insert_problems(session, rows)
        ids = list(
            session.scalars(sa.text("SELECT id FROM problems WHERE run_id = :r ORDER BY id"), {"r": run_id})
        )
    engine.dispose()
    return ids


def bench_orchestrator(state: Path, args: argparse.Namespace) -> None:
    with ExitStack() as stack:
        url = stack.enter_context(fresh_postgres_database("fdd_load"))
        upgrade(url)
        env = {
            "FDD_ORCHESTRATOR_DATABASE_URL": url,
            "FDD_ORCHESTRATOR_DRIVER_ENABLED": "false",
            "FDD_ORCHESTRATOR_ADMIN_TOKEN": TOKEN,
            "FDD_ORCHESTRATOR_LOG_LEVEL": "WARNING",
            "FDD_STATE_DIR": str(state),
        }
        base = stack.enter_context(
            running_service("fdd-orchestrator", env, state / "orchestrator.log", "FDD_ORCHESTRATOR_PORT")
        )
        auth = {"Authorization": f"Bearer {TOKEN}"}
        with httpx.Client(base_url=base, headers=auth, timeout=30) as client:
            for i in range(args.runs):
                run_id = client.post("/v1/runs", json={"name": f"load-{i}"}).raise_for_status().json()["id"]
        ids = seed_problems(url, run_id, args.problems)
        with httpx.Client(base_url=base, headers=auth, timeout=30) as client:
            paths = ["/v1/runs?limit=50", f"/v1/runs/{run_id}"]
            paths += [
                f"/v1/runs/{run_id}/problems?limit=100&cursor={ids[j]}" for j in range(0, len(ids), 997)
            ]
            for path in paths:  # every path answers 200 before the load starts
                client.get(path).raise_for_status()
        script = state / "gets.lua"
        quoted = ",".join(json.dumps(p) for p in paths)
        script.write_text(_GETS % {"paths": quoted, "token": TOKEN} + wrk.REPORT_LUA)
        result = run_wrk(base, script, args.connections, args.seconds, args.timeout)
        show(
            f"orchestrator GET (runs list, run read, problems page) x {args.connections} connections", result
        )


def bench_teacher(state: Path, args: argparse.Namespace) -> None:
    env = {"FDD_STATE_DIR": str(state), "FDD_TEACHER_LOG_LEVEL": "WARNING"}
    with running_service("fdd-teacher", env, state / "teacher.log", "FDD_TEACHER_PORT") as base:
        problems = [problem_for_seed(i, 2) for i in range(args.bodies)]
        bodies = [
            json.dumps({"problems": [{"id": "p", "text": p.text, "gold": p.answer}], "k": 4, "label": "load"})
            for p in problems
        ]
        with httpx.Client(base_url=base, headers=SERVICE_AUTH, timeout=60) as client:
            for body in bodies:  # first answer computes and caches; the second is a hit
                for _ in range(2):
                    client.post("/v1/rationales", content=body, headers={"content-type": "application/json"})
        encoded = [b.encode() for b in bodies]
        script = wrk.write_script(state / "posts.lua", "/v1/rationales", encoded, SERVICE_TOKEN)
        # wrk runs for a duration, not a count: a 5 s probe gives the rate, then one run long enough
        # for --teacher-requests requests (capped at 300 s); the count printed is what was sent.
        probe = run_wrk(base, script, args.teacher_connections, 5, args.timeout)
        seconds = min(300, max(5, args.teacher_requests / max(probe.per_second, 1)))
        result = run_wrk(base, script, args.teacher_connections, seconds, args.timeout)
        show(f"teacher cached POST /v1/rationales x {args.teacher_connections} connections", result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--runs", type=int, default=100, help="runs created through the API")
    parser.add_argument("--problems", type=int, default=20_000, help="problems in the paged run")
    parser.add_argument("--timeout", type=int, default=30, help="wrk's per-request time-out, seconds")
    parser.add_argument("--only", choices=["orchestrator", "teacher"], default=None)
    parser.add_argument("--teacher-requests", type=int, default=10_000)
    parser.add_argument("--teacher-connections", type=int, default=64)
    parser.add_argument("--bodies", type=int, default=50, help="distinct cached teacher request bodies")
    args = parser.parse_args()
    if not wrk.available():
        sys.exit("wrk not found: apt-get install wrk")
    print(f"cpus: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="fdd-load-") as tmp:
        if args.only != "teacher":
            bench_orchestrator(Path(tmp), args)
        if args.only != "orchestrator":
            bench_teacher(Path(tmp), args)


if __name__ == "__main__":
    main()
