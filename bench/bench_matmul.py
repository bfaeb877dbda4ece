"""This machine's measured matmul peak with torch: fp32 and bf16 GFLOP/s at 1 and 2 threads.

The yardstick for every training figure: ``bench_training.py`` prints tokens/s as a share of the
peak measured here (6·N FLOP per trained token), so "near the limit" is a ratio and not a guess.
A square matmul of side ``--n`` is timed for ``--seconds`` per cell (best of ``--repeats`` tries,
since a shared machine only ever slows a try down); the cells run interleaved in one process.

    .venv/bin/python bench/bench_matmul.py [--n 1024] [--threads 1,2] [--seconds 1.0] [--repeats 3]
"""

from __future__ import annotations

import argparse
import time

import torch

DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16}


def gflops(n: int, dtype: torch.dtype, threads: int, seconds: float) -> tuple[float, float]:
    """GFLOP/s of ``n``×``n`` @ ``n``×``n`` matmuls in ``dtype`` on ``threads`` threads, over ``seconds``:
    per wall-clock second and per CPU-second of this process (divided by ``threads``: the rate the
    threads reach while they run, which other processes on the machine cannot take away)."""
    torch.set_num_threads(threads)
    a, b = torch.randn(n, n).to(dtype), torch.randn(n, n).to(dtype)
    out = torch.empty(n, n, dtype=dtype)
    torch.mm(a, b, out=out)  # warm-up: oneDNN/MKL pick their kernels on the first call
    calls, start, cpu = 0, time.perf_counter(), time.process_time()
    while (elapsed := time.perf_counter() - start) < seconds:
        torch.mm(a, b, out=out)
        calls += 1
    flop = 2 * n**3 * calls / 1e9
    return flop / elapsed, flop / max(time.process_time() - cpu, 1e-9) * threads


def measure_peaks(
    threads: list[int], n: int = 1024, seconds: float = 1.0, repeats: int = 3
) -> dict[tuple[str, int], tuple[float, float]]:
    """Best (wall, CPU-time) GFLOP/s per (dtype name, threads), cells interleaved ``repeats`` times."""
    saved = torch.get_num_threads()
    best: dict[tuple[str, int], tuple[float, float]] = {}
    try:
        for _ in range(repeats):
            for t in threads:
                for name, dtype in DTYPES.items():
                    wall, cpu = gflops(n, dtype, t, seconds)
                    old = best.get((name, t), (0.0, 0.0))
                    best[(name, t)] = (max(old[0], wall), max(old[1], cpu))
    finally:
        torch.set_num_threads(saved)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1024, help="matrix side")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument("--seconds", type=float, default=1.0, help="timing per try")
    parser.add_argument("--repeats", type=int, default=3, help="tries per cell (best kept)")
    args = parser.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    peaks = measure_peaks(threads, args.n, args.seconds, args.repeats)
    print("GFLOP/s per wall-clock second (per CPU-second of the running threads)")
    for t in threads:
        (f_wall, f_cpu), (b_wall, b_cpu) = peaks[("fp32", t)], peaks[("bf16", t)]
        print(
            f"{t} thread(s): fp32 {f_wall:7.1f} ({f_cpu:6.1f})   bf16 {b_wall:7.1f} ({b_cpu:6.1f})   "
            f"bf16/fp32 {b_wall / f_wall:.2f}x ({b_cpu / f_cpu:.2f}x)"
        )
    if len(threads) > 1:
        lo, hi = threads[0], threads[-1]
        for name in DTYPES:
            print(f"{name}: {hi} threads / {lo} = {peaks[(name, hi)][0] / peaks[(name, lo)][0]:.2f}x (wall)")


if __name__ == "__main__":
    main()
