"""Benchmark: Program-of-Thought programs verified per second, three ways, side by side in one run.

1. the sandbox pool (`fdd.programs.Sandbox.execute_many`: persistent workers, batched round trips),
2. one fresh `python -I -S -c <program>` subprocess per program (on a sample; no sandboxing at all,
   so this is a lower bound on the cost of "spawn a process per program"),
3. unsandboxed in-process `exec` (compile + exec + read `ans`: the ceiling).

Programs are GSM8K train solutions converted by `fdd.gsm8k_programs.convert` (realistic PoT programs);
without the data, generated multi-line arithmetic programs. Each run checks that the pool and `exec`
agree on every answer, and prints the CPU time per program (robust to other load on the machine,
which the rates are not). Goals: pool >= 20x subprocess-per-program, >= 5,000 programs/s on 2 cores,
within 4x of unsandboxed exec.

    .venv/bin/python bench/bench_programs.py [--limit 7473] [--workers N] [--sample 100]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time

from fdd.answers import answers_equal
from fdd.datasets import resolve_data_dir
from fdd.programs import Sandbox

DATA = resolve_data_dir(None) / "gsm8k" / "train.jsonl"  # FDD_DATA_DIR (make bench sets it)


def gsm8k_programs(limit: int) -> tuple[list[str], str]:
    """Converted GSM8K programs, or generated ones when the data or the converter is missing."""
    fallback = generated_programs(limit), "generated multi-line arithmetic programs"
    try:
        from fdd.gsm8k_programs import convert
    except ImportError:
        return fallback
    if not DATA.exists():
        return fallback
    with DATA.open() as lines:
        records = [json.loads(line) for _, line in zip(range(limit), lines, strict=False)]
    programs = [p for p in (convert(r["answer"]) for r in records) if p]
    return programs, f"GSM8K train, converted by fdd.gsm8k_programs ({len(programs)}/{len(records)})"


def generated_programs(count: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    programs = []
    for _ in range(count):
        lines = [f"v0 = {rng.randint(2, 500)}"]
        for step in range(1, rng.randint(3, 8)):
            op = rng.choice(["+", "-", "*", "/"])
            lines.append(f"v{step} = v{step - 1} {op} {rng.randint(1, 60)}")
        lines.append(f"ans = v{len(lines) - 1}")
        programs.append("\n".join(lines) + "\n")
    return programs


def run_exec(programs: list[str]) -> tuple[float, float, list[object]]:
    """(wall s, CPU s, answers) of compile + exec in this process."""
    start, cpu = time.perf_counter(), time.process_time()
    values = []
    for program in programs:
        namespace: dict[str, object] = {}
        exec(compile(program, "<program>", "exec"), namespace)
        values.append(namespace.get("ans"))
    return time.perf_counter() - start, time.process_time() - cpu, values


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_pool(programs: list[str], workers: int) -> tuple[float, float, list[object]]:
    """(wall s, CPU s of this process and the workers, answers); CPU includes the workers' start-up."""
    children = _children_cpu()
    with Sandbox(workers=workers, timeout=2.0) as sandbox:
        sandbox.execute_many(programs[: workers * 50])  # start the workers outside the timing
        start, cpu = time.perf_counter(), time.process_time()
        results = sandbox.execute_many(programs)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return elapsed, cpu + _children_cpu() - children, [r.value for r in results]


def run_subprocess(programs: list[str]) -> float:
    start = time.perf_counter()
    for program in programs:
        subprocess.run(
            [sys.executable, "-I", "-S", "-c", program + "\nprint(ans)"], capture_output=True, check=True
        )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=7473, help="GSM8K records to convert (all by default)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--sample", type=int, default=100, help="programs run one subprocess each")
    args = parser.parse_args()

    programs, source = gsm8k_programs(args.limit)
    print(f"{len(programs)} programs: {source}; {os.cpu_count()} CPUs, pool of {args.workers} workers")
    exec_s, exec_cpu, exec_values = run_exec(programs)
    pool_s, pool_cpu, pool_values = run_pool(programs, args.workers)
    sample = programs[: args.sample]
    spawn_s = run_subprocess(sample)

    agree = sum(answers_equal(a, b) for a, b in zip(pool_values, exec_values, strict=True))
    rates = {
        "sandbox pool (execute_many)": len(programs) / pool_s,
        "subprocess per program": len(sample) / spawn_s,
        "unsandboxed exec": len(programs) / exec_s,
    }
    for name, rate in rates.items():
        print(f"{name:30s} {rate:10,.0f} programs/s")
    pool = rates["sandbox pool (execute_many)"]
    print(f"pool / subprocess-per-program: {pool / rates['subprocess per program']:.1f}x (goal >= 20x)")
    print(f"unsandboxed exec / pool:       {rates['unsandboxed exec'] / pool:.2f}x (goal <= 4x)")
    print(f"pool >= 5,000 programs/s:      {'yes' if pool >= 5000 else 'no'}")
    per = 1e6 / len(programs)
    print(f"CPU per program: pool {pool_cpu * per:.0f} us (all processes), exec {exec_cpu * per:.0f} us")
    load = os.getloadavg()[0]
    print(f"load average at the end: {load:.1f} on {os.cpu_count()} CPUs (other load skews the rates)")
    print(f"answers agreeing with exec:    {agree}/{len(programs)}")


if __name__ == "__main__":
    main()
