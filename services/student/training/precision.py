"""Which arithmetic a training run uses: bf16 autocast or plain fp32 (``TrainConfig.precision``).

``auto`` takes bf16 autocast where it pays: on a GPU, and on a CPU whose bf16 matrix products are
measured to run several times faster than its fp32 ones (AMX tiles: ~7.7× on a Sapphire Rapids core;
AVX-512 BF16 alone is near 1×, a CPU without either far below 1×) for a model large enough that its
time goes to matrix products (a pre-trained base). The tiny default stays fp32 everywhere on a CPU:
its steps are small operations, and bf16 autocast measured only 1.07× faster on an AMX core
(``bench/bench_training.py``), not worth a change of numerics.
"""

from __future__ import annotations

import functools
import time

import torch

PRECISIONS = ("auto", "fp32", "bf16")
BF16_MIN_SPEEDUP = 3.0  # bf16 over fp32 matmul rate a CPU must measure for ``auto`` to choose bf16
BF16_MIN_PARAMS = 10_000_000  # smaller models spend their steps outside matrix products


@functools.cache
def cpu_bf16_speedup(n: int = 256, calls: int = 5) -> float:
    """bf16 over fp32 rate of an ``n``×``n`` matrix product on this CPU (best of ``calls`` each, after a
    warm-up), measured once per process: a few milliseconds, more on a CPU where bf16 is emulated."""

    def best(dtype: torch.dtype) -> float:
        a, b = torch.randn(n, n).to(dtype), torch.randn(n, n).to(dtype)
        torch.mm(a, b)
        times = []
        for _ in range(calls):
            start = time.perf_counter()
            torch.mm(a, b)
            times.append(time.perf_counter() - start)
        return min(times)

    return best(torch.float32) / max(best(torch.bfloat16), 1e-9)


def use_bf16(precision: str, device: torch.device, n_params: int) -> bool:
    """Whether a run of a model with ``n_params`` parameters on ``device`` trains under bf16 autocast."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
    if precision != "auto":
        return precision == "bf16"
    if device.type == "cuda":
        return True
    return n_params >= BF16_MIN_PARAMS and cpu_bf16_speedup() >= BF16_MIN_SPEEDUP
