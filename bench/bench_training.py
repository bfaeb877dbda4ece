"""Student training throughput, side by side: dtype, batching, torch.compile and threads.

Every variant trains a fresh copy of the tiny default (same initial weights, same batches) through
the production step (``student.training.loop``: ``_Run.forward`` and ``_step``); the variants take
turns for ``--slice`` steps each, ``--rounds`` times, so a shared machine's load falls on all of them
alike. Reported per variant: real (non-padding) tokens/s on the wall clock (median slice), real
tokens per CPU-second of the process (what the load cannot take away, but that OpenMP spinning
inflates), the padding share, and the share of this machine's matmul peak (``bench_matmul.py``,
measured in the same run, per CPU-second of one thread) that 6·N FLOP per real token reaches per
CPU-second: on a loaded machine the wall-clock figures shrink, that share does not.

    .venv/bin/python bench/bench_training.py [--threads 1,2] [--train 2000] [--slice 8] [--rounds 5]
        [--variants base,bf16,pad,compile,nodrop] [--base tiny|smollm2-135m|PATH] [--max-steps 5]

``--base smollm2-135m`` measures the pre-trained base (``fdd models fetch smollm2-135m`` first) at its
own batch size of 8; try ``--train 200 --slice 2 --rounds 3`` there, a step takes seconds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from bench_matmul import measure_peaks  # noqa: E402

from fdd.curriculum import SEED_STEP_WEIGHTS, seed_problems  # noqa: E402
from fdd.models import KNOWN, cached  # noqa: E402
from student.training import TrainConfig, TrainExample  # noqa: E402
from student.training.data import (  # noqa: E402
    Encoded,
    batch_order,
    encode,
    resolve_knobs,
    resolve_switches,
    training_pairs,
)
from student.training.loop import _base, _optimizer, _Run, _step  # noqa: E402

# name -> (dtype, batching, compile, fused AdamW, dropout); every one is run at every thread count asked
# for. dropout None keeps the base's own; 0.0 turns it off (the tiny model's is attention dropout only).
VARIANTS = {
    "base": ("fp32", "bucket", False, True, None),  # the production default: length-bucketed, fp32
    "bf16": ("bf16", "bucket", False, True, None),  # bf16 autocast on CPU (TrainConfig.precision "bf16")
    "pad": ("fp32", "pad", False, True, None),  # plain padding: random order, no length grouping
    "compile": ("fp32", "bucket", True, True, None),  # torch.compile(dynamic=True) of the model
    "bf16+compile": ("bf16", "bucket", True, True, None),
    "unfused": ("fp32", "bucket", False, False, None),  # AdamW's per-tensor loop, not its fused kernel
    "nodrop": ("fp32", "bucket", False, True, 0.0),  # no dropout: SDPA may take its fused CPU kernel
    "nodrop+compile": ("fp32", "bucket", True, True, 0.0),
}


@dataclass
class Cell:
    """One variant at one thread count: its run, optimiser and measured slices."""

    name: str
    threads: int
    dtype: str
    batching: str
    run: _Run
    optimizer: torch.optim.Optimizer
    batches: list[list[int]]
    cursor: int = 0
    real: int = 0
    padded: int = 0
    walls: list[float] = field(default_factory=list)  # real tokens/s per slice
    cpu_seconds: float = 0.0
    tokens: int = 0


def _data(n: int, config: TrainConfig, max_steps: int | None) -> tuple[list[Encoded], object, object, object]:
    weights = SEED_STEP_WEIGHTS if max_steps is None else dict.fromkeys(range(1, max_steps + 1), 1.0)
    seeds = seed_problems(n, seed=0, weights=weights)
    examples = [TrainExample(f"s{i}", p.text, p.program) for i, p in enumerate(seeds)]
    pairs, _ = training_pairs(examples, config)
    model, tokenizer, fmt = _base(config, pairs)
    items, _ = encode(pairs, tokenizer, fmt, config.max_length)
    return items, model, tokenizer, fmt


def _batches(items: list[Encoded], batching: str, batch_size: int) -> list[list[int]]:
    rng = random.Random(0)
    if batching == "bucket":
        return batch_order(items, batch_size, rng)
    order = list(range(len(items)))
    rng.shuffle(order)
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def _config(base_model: str, **knobs: object) -> TrainConfig:
    """The base's own knobs (lr, batch size, max length, text switches) as a round's training gets them."""
    return resolve_switches(resolve_knobs(TrainConfig(base_model=base_model, **knobs)))


def _cell(
    name: str, threads: int, items: list[Encoded], base: dict, model_args: tuple, base_model: str
) -> Cell:
    dtype, batching, compiled, fused, dropout = VARIANTS[name]
    config = _config(base_model, threads=threads, precision=dtype)
    model, tokenizer = model_args
    model.load_state_dict(base)
    if dropout is not None:
        for module in model.modules():  # nn.Dropout layers and Llama's attention (a float it passes on)
            if isinstance(module, torch.nn.Dropout):
                module.p = dropout
            elif isinstance(getattr(module, "attention_dropout", None), float):
                module.attention_dropout = dropout
    run = _Run(model, tokenizer, False, config, torch.device("cpu"))
    if compiled:
        run.model = torch.compile(model, dynamic=True)
    batches = _batches(items, batching, config.batch_size)
    return Cell(name, threads, dtype, batching, run, _optimizer(model, config, fused), batches)


def _slice(cell: Cell, items: list[Encoded], steps: int, record: bool) -> None:
    torch.set_num_threads(cell.threads)
    tokens, cpu, start = 0, time.process_time(), time.perf_counter()
    for _ in range(steps):
        batch = [items[i] for i in cell.batches[cell.cursor % len(cell.batches)]]
        cell.cursor += 1
        _, n = _step(cell.run, batch, cell.optimizer)
        tokens += n
        cell.padded += len(batch) * max(len(it.input_ids) for it in batch)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    if record:
        cell.walls.append(tokens / wall)
        cell.cpu_seconds, cell.tokens = cell.cpu_seconds + cpu, cell.tokens + tokens
    cell.real += tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument("--train", type=int, default=2000, help="curriculum problems")
    parser.add_argument(
        "--max-steps",
        type=int,
        default=None,
        help="problems of 1..N steps in equal shares (longer sequences, like a late round's set); "
        "default: the seed mix",
    )
    parser.add_argument("--slice", type=int, default=8, help="steps per turn")
    parser.add_argument("--rounds", type=int, default=5, help="measured turns per variant")
    parser.add_argument("--variants", default="base,bf16,pad", help=f"of {','.join(VARIANTS)}")
    parser.add_argument(
        "--base", default="tiny", help=f"tiny, a fetched model ({', '.join(KNOWN)}) or a path"
    )
    args = parser.parse_args()
    base_model = args.base
    if args.base in KNOWN:
        if (path := cached(args.base)) is None:
            sys.exit(f"{args.base} is not fetched: run .venv/bin/fdd models fetch {args.base} first")
        base_model = str(path)
    threads = [int(t) for t in args.threads.split(",")]
    names = args.variants.split(",")
    torch.manual_seed(0)
    items, model, tokenizer, _ = _data(args.train, _config(base_model), args.max_steps)
    n_params = sum(p.numel() for p in model.parameters())
    base = {k: v.clone() for k, v in model.state_dict().items()}
    peaks = measure_peaks(sorted({1, *threads}), seconds=0.5, repeats=2)
    for t in threads:
        (f_wall, f_cpu), (b_wall, b_cpu) = peaks[("fp32", t)], peaks[("bf16", t)]
        print(
            f"matmul peak, {t} thread(s): fp32 {f_wall:.1f} wall ({f_cpu:.1f} per CPU-s of the threads), "
            f"bf16 {b_wall:.1f} ({b_cpu:.1f}) GFLOP/s"
        )
    cells = []
    for name in names:
        for t in threads:
            copy = type(model)(model.config)
            cells.append(_cell(name, t, items, base, (copy, tokenizer), base_model))
    for cell in cells:  # warm-up: kernels chosen, compiled graphs built
        _slice(cell, items, 3, record=False)
    for _ in range(args.rounds):
        for cell in cells:
            _slice(cell, items, args.slice, record=True)
    print(
        f"{args.base} model: {n_params:,} parameters; {len(items)} examples; "
        f"6·N = {6 * n_params / 1e6:.2f} MFLOP/token"
    )
    first = {t: statistics.median(next(c for c in cells if c.threads == t).walls) for t in threads}
    print(
        "of peak: 6·N·(real tokens per CPU-second) / one thread's matmul peak per CPU-second "
        "(fp32, and the variant's own dtype)"
    )
    head = f"{'variant':<12}{'thr':>4}{'real tok/s':>12}{'vs first':>9}{'tok/CPU-s':>11}{'padding':>9}"
    print(head + f"{'of fp32':>9}{'of own':>8}")
    for c in cells:
        wall, per_cpu = statistics.median(c.walls), c.tokens / max(c.cpu_seconds, 1e-9)
        flops = 6 * n_params * per_cpu / 1e9
        fp32, own = flops / peaks[("fp32", 1)][1], flops / peaks[(c.dtype, 1)][1]
        print(
            f"{c.name:<12}{c.threads:>4}{wall:>12.0f}{wall / first[c.threads]:>8.2f}x"
            f"{per_cpu:>11.0f}{1 - c.real / c.padded:>9.1%}{fp32:>9.1%}{own:>8.1%}"
        )


if __name__ == "__main__":
    main()
