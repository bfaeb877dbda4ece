"""Which arithmetic a training run uses: bf16 autocast or plain fp32 (``TrainConfig.precision``).

``auto`` takes bf16 autocast where it pays: on a GPU that supports it, and on a CPU whose bf16 matrix
products are measured to run several times faster than its fp32 ones (bench/bench_matmul.py: 7.7× with
AMX tiles on an Intel Xeon, 4.4× on an AMD Zen 5, 2.3–3.8× with AVX-512 BF16 on an AMD Zen 4, 0.01–0.19×
on CPUs with neither) for a model large enough that its time goes to matrix products (a pre-trained base:
SmolLM2-135M trained 1.62× faster on the AMX host). A small model (the tiny default) spends its steps on
small operations, where the matrix probe does not predict the gain: bf16 autocast measured 0.98× on the
Zen 4 host, 1.07–1.09× on the AMX one and 1.37–1.45× on the Zen 5 one (``bench/bench_training.py``), with
the same held-out accuracy (``bench/learning_quality.py``, 3 seeds). So for a small model ``auto`` times
the model's own training step both ways (``step_bf16_speedup``, once per process and shape) and takes
bf16 only from ``BF16_MIN_STEP_SPEEDUP``. It is timed when the first job needs it, the worker's one job then,
not as the worker starts: timed there, beside the other services' start-up, it chose fp32 on the Zen 5 host
(1.7× when timed alone) and a whole demo trained in fp32.
"""

from __future__ import annotations

import copy
import functools
import json
import logging
import time
from collections.abc import Callable

import torch

log = logging.getLogger("student.training")
PRECISIONS = ("auto", "fp32", "bf16")
BF16_MIN_SPEEDUP = 3.0  # bf16 over fp32 matmul rate a CPU must measure for ``auto`` to choose bf16 (large)
BF16_MIN_PARAMS = 10_000_000  # smaller models spend their steps outside matrix products
# a small model's forward and backward pass must measure this much faster for ``auto`` (the Zen 5 host:
# 1.64–1.76× for the tiny model, whose whole step, with the fp32 optimiser, gained 1.37–1.45×)
BF16_MIN_STEP_SPEEDUP = 1.3
BF16_PROBE_GATE = 1.0  # matrix products slower than this in bf16: emulated; a small model's step is not timed
# token ids and the vocabulary's size barely change a step's time (and each round's tokenizer changes them)
_PROBE_IGNORES = {"vocab_size", "pad_token_id", "bos_token_id", "eos_token_id", "decoder_start_token_id"}


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


_STEP_SPEEDUPS: dict[tuple[str, str, int], float] = {}  # by (model class, config numbers, threads)


def step_bf16_speedup(model: torch.nn.Module, batch: int = 32, length: int = 64, calls: int = 3) -> float:
    """bf16-autocast over fp32 rate of ``model``'s forward and backward pass on a ``batch`` × ``length``
    batch of random tokens (the tiny model's batch: 32 examples of ~60 tokens), on a copy of the model and
    without touching the global random state; best of ``calls`` each, alternated, after a warm-up. Measured
    once per process for models of one shape at one thread count (the vocabulary aside): under a second
    for the tiny model."""
    config = getattr(model, "config", None)
    settings = config.to_dict() if config is not None else {}
    # the numbers of its config (sizes, dropout …), not its name or path: a checkpoint is the same shape
    shape = {k: v for k, v in settings.items() if isinstance(v, int | float) and k not in _PROBE_IGNORES}
    key = (type(model).__name__, json.dumps(shape, sort_keys=True), torch.get_num_threads())
    if key not in _STEP_SPEEDUPS:
        try:
            _STEP_SPEEDUPS[key] = _time_steps(model, batch, length, calls)
        except (RuntimeError, TypeError, ValueError, AttributeError) as exc:  # a model it cannot drive
            log.warning("could not time %s in bf16 (%s); it trains in fp32", type(model).__name__, exc)
            _STEP_SPEEDUPS[key] = 0.0
    return _STEP_SPEEDUPS[key]


def _time_steps(model: torch.nn.Module, batch: int, length: int, calls: int) -> float:
    with torch.random.fork_rng(devices=[]):
        probe = copy.deepcopy(model).to("cpu").train()
        vocab = int(getattr(getattr(model, "config", None), "vocab_size", 0) or 100)
        ids = torch.randint(0, vocab, (batch, length))

        def seconds(bf16: bool) -> float:
            start = time.perf_counter()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                loss = probe(input_ids=ids, labels=ids).loss
            loss.backward()
            probe.zero_grad(set_to_none=True)
            return time.perf_counter() - start

        seconds(False), seconds(True)  # warm-up: kernels chosen, buffers allocated
        times: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(calls):
            for bf16 in (False, True):
                times[bf16].append(seconds(bf16))
    return min(times[False]) / max(min(times[True]), 1e-9)


def tiny_cpu_precision(threads: int) -> str:
    """``"bf16"`` or ``"fp32"``: what ``auto`` takes for the tiny default on this machine's CPU at
    ``threads``, timed now. ``fdd experiment`` pins it for every arm and seed of its local stack, so that a
    probe timed beside another run's training cannot give two arms different arithmetic."""
    from fdd.curriculum import seed_problems
    from student.modeling import build_tiny

    from .config import TINY_KNOBS

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        texts = [text for problem in seed_problems(200) for text in (problem.text, problem.program)]
        with torch.random.fork_rng(devices=[]):
            model = build_tiny(texts, {}, int(TINY_KNOBS["max_length"]))[0]
        n_params = sum(p.numel() for p in model.parameters())
        chosen = use_bf16("auto", torch.device("cpu"), n_params, lambda: step_bf16_speedup(model))
    finally:
        torch.set_num_threads(before)
    return "bf16" if chosen else "fp32"


def use_bf16(
    precision: str, device: torch.device, n_params: int, step_probe: Callable[[], float] | None = None
) -> bool:
    """Whether a run of a model with ``n_params`` parameters on ``device`` trains under bf16 autocast;
    ``step_probe``: the small model's measured step speedup (``step_bf16_speedup``), asked only for a small
    model on a CPU whose bf16 is not emulated; without one, a small model stays fp32 on a CPU."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
    if precision != "auto":
        return precision == "bf16"
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()  # Ampere and later; older cards emulate it slowly
    if n_params >= BF16_MIN_PARAMS:
        return cpu_bf16_speedup() >= BF16_MIN_SPEEDUP
    if step_probe is None or cpu_bf16_speedup() < BF16_PROBE_GATE:
        return False
    return step_probe() >= BF16_MIN_STEP_SPEEDUP
