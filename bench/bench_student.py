"""Benchmark of the tiny student on CPU: training tokens/s, and batched vs one-by-one inference.

Trains the tiny default on curriculum problems for a fixed number of steps, then solves the same
held-out problems greedily in batches and one at a time, and prints problems/s of each and their
ratio (goal: batched ≥ 10× one-by-one), with fdd's own decode loop and with transformers' ``generate``
(the problems/s include running the programs). Everything is measured side by side in one run; on a shared
machine the absolute figures are noisy, the ratio less so.

    .venv/bin/python bench/bench_student.py [--threads 2] [--train 1000] [--steps 300] [--problems 384]
        [--batch 64]

The held-out set is the size of the demo's evaluation (400) by default: batched decoding runs each batch
to its longest completion, so a set of 96 at batch 64 (a full batch and a half-empty one) measured 8.0x
where 384 measured 10.6-11.5x on the same host; CLASSIFY's pools are larger still.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from fdd.curriculum import fixed_step_problems, seed_problems
from student.inference import PredictItem, Predictor, load_predictor
from student.inference.generators import HFGenerator
from student.training import TrainConfig, TrainExample, train


def _data(n_train: int, n_test: int) -> tuple[list[TrainExample], list[PredictItem]]:
    seeds = seed_problems(n_train, seed=0)
    taken = {p.text for p in seeds}
    tests = [p for s in (1, 2, 3) for p in fixed_step_problems(n_test // 3, s, seed=1, taken=taken)]
    examples = [TrainExample(f"s{i}", p.text, p.program) for i, p in enumerate(seeds)]
    items = [PredictItem(f"t{i}", p.text, p.answer, {"steps": p.steps}) for i, p in enumerate(tests)]
    return examples, items


def _solve_rate(
    predictor, items: list[PredictItem], batch_size: int, max_new_tokens: int
) -> tuple[float, float]:
    start = time.perf_counter()
    preds = predictor.predict(items, max_new_tokens=max_new_tokens, batch_size=batch_size)
    seconds = time.perf_counter() - start
    return len(items) / seconds, sum(p.outcome == "correct" for p in preds) / len(preds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--train", type=int, default=1000, help="training problems")
    parser.add_argument("--steps", type=int, default=300, help="optimiser steps (enough to learn to stop)")
    parser.add_argument("--problems", type=int, default=384, help="held-out problems to solve")
    parser.add_argument("--batch", type=int, default=64, help="batch size (the predict jobs' default: 64)")
    parser.add_argument("--single", type=int, default=24, help="of which solved one by one")
    parser.add_argument("--max-new-tokens", type=int, default=160)
    args = parser.parse_args()
    examples, items = _data(args.train, args.problems)
    with tempfile.TemporaryDirectory() as tmp:
        config = TrainConfig(threads=args.threads, max_steps=args.steps, val_fraction=0.05)
        result = train(examples, config, Path(tmp) / "ckpt")
        m = result.metrics
        print(
            f"training: {m['steps']} steps, {m['seconds']:.1f} s, {m['tokens_per_s']:.0f} tokens/s "
            f"({m['tokens_per_s'] / args.threads:.0f} per thread), params {m['params']:,}"
        )
        predictor = load_predictor(result.checkpoint_dir, device="cpu", engine="hf", threads=args.threads)
        gen = predictor.generator
        engines = {
            name: Predictor(
                HFGenerator(gen.model, gen.tokenizer, gen.fmt, gen.device, own_decode=own),
                predictor.tokenizer,
                predictor.fmt,
                predictor.text,
            )
            for name, own in (("own decode loop", True), ("transformers generate", False))
        }
        # the one-by-one subset takes every k-th problem, so both see the same mix of 1-3 steps
        subset = items[:: max(1, len(items) // args.single)][: args.single]
        rates = {}
        for name, engine in engines.items():
            batched, acc_b = _solve_rate(engine, items, args.batch, args.max_new_tokens)
            single, acc_s = _solve_rate(engine, subset, 1, args.max_new_tokens)
            rates[name] = (batched, single)
            print(
                f"{name}: batched ({args.batch}) {batched:.1f} problems/s "
                f"(accuracy {acc_b:.2f} of {len(items)})"
            )
            print(f"  one by one {single:.1f} problems/s (accuracy {acc_s:.2f} of {len(subset)})")
            print(f"  ratio batched / one-by-one: {batched / single:.1f}x (goal >= 10x)")
    (own_b, own_s), (hf_b, hf_s) = rates.values()
    print(f"own loop / generate: batched {own_b / hf_b:.2f}x, one by one {own_s / hf_s:.2f}x")


if __name__ == "__main__":
    main()
