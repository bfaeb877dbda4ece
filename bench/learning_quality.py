"""Learning quality of the tiny student on fdd's synthetic curriculum: accuracy by step count.

Trains the tiny default (or ``--arch t5`` / ``gpt2`` for comparison) on seed problems of 1–3 steps
within a time budget, then evaluates greedily on held-out problems of exactly 1..5 steps and prints
accuracy per step count (the goal on a quiet 2-core machine: ≥ 95 / 90 / 70 % on 1 / 2 / 3 steps;
~0 % on 4–5 is expected, DESIGN.md). Wall-clock budgets make the result depend on how busy the
machine is: the printed tokens/s says how much compute the run actually got.

    .venv/bin/python bench/learning_quality.py [--train 3000] [--minutes 5] [--threads 2] [--arch llama]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from fdd.curriculum import fixed_step_problems, seed_problems
from student.inference import PredictItem, evaluate, load_predictor
from student.training import TrainConfig, TrainExample, train


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=3000, help="seed problems (1-3 steps)")
    parser.add_argument("--test", type=int, default=100, help="held-out problems per step count")
    parser.add_argument("--minutes", type=float, default=5.0, help="training time budget")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--arch", default="llama", choices=["llama", "gpt2", "t5"])
    parser.add_argument("--no-mask", action="store_true", help="whole numbers instead of N1, N2 …")
    parser.add_argument("--log", type=Path, default=None, help="per-item JSONL log")
    args = parser.parse_args()
    seeds = seed_problems(args.train, seed=0)
    taken = {p.text for p in seeds}
    tests = [p for s in range(1, 6) for p in fixed_step_problems(args.test, s, seed=1, taken=taken)]
    examples = [TrainExample(f"s{i}", p.text, p.program) for i, p in enumerate(seeds)]
    items = [PredictItem(f"t{i}", p.text, p.answer, {"steps": p.steps}) for i, p in enumerate(tests)]
    config = TrainConfig(
        epochs=args.epochs,
        threads=args.threads,
        time_limit_s=args.minutes * 60,
        mask_numbers=not args.no_mask,
        tiny={"arch": args.arch},
    )
    with tempfile.TemporaryDirectory() as tmp:
        result = train(examples, config, Path(tmp) / "ckpt")
        predictor = load_predictor(result.checkpoint_dir, device="cpu", engine="hf", threads=args.threads)
        report = evaluate(predictor, items, group_by="steps", log_path=args.log, max_new_tokens=256)
    keys = ("steps", "epochs", "seconds", "tokens_per_s", "train_loss", "best_val_loss", "params", "stopped")
    print(json.dumps({k: result.metrics[k] for k in keys}, indent=1))
    print(
        f"arch={args.arch} mask={not args.no_mask} train={args.train} accuracy={report.accuracy:.3f} "
        f"outcomes={report.counts}"
    )
    for steps, group in report.by_group.items():
        print(f"  {steps}-step: {group['accuracy']:.1%} of {group['n']}")


if __name__ == "__main__":
    main()
