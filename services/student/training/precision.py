"""Which arithmetic a training run uses: bf16 autocast or plain fp32 (``TrainConfig.precision``).

``auto`` takes bf16 autocast where it pays: on a GPU that supports it, and on a CPU whose bf16 matrix
products are measured to run several times faster than its fp32 ones (bench/bench_matmul.py: 7.7× with
AMX tiles on an Intel Xeon, 3.8× with AVX-512 BF16 on an AMD Zen 4, 0.01–0.19× on CPUs with neither) for a
model large enough that its time goes to matrix products (a pre-trained base: SmolLM2-135M trained 1.62×
faster on the AMX host). The tiny default stays fp32 on a CPU: its steps are small operations, and bf16
autocast measured 0.98× on the Zen 4 host and 1.07–1.09× on the AMX one (``bench/bench_training.py``), not
worth a change of numerics.
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
        return torch.cuda.is_bf16_supported()  # Ampere and later; older cards emulate it slowly
    return n_params >= BF16_MIN_PARAMS and cpu_bf16_speedup() >= BF16_MIN_SPEEDUP
