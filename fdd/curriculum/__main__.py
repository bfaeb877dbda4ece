"""``python -m fdd.curriculum``: write seed and test sets, or print a few sample problems."""

from __future__ import annotations

import argparse
import random

from fdd.curriculum.generate import MAX_STEPS, generate
from fdd.curriculum.sets import write_sets


def _steps(text: str) -> list[int]:
    low, _, high = text.partition("-")
    return list(range(int(low), int(high or low) + 1))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m fdd.curriculum", description=__doc__)
    parser.add_argument("--out", default="var/curriculum", help="directory for the JSONL files")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seed-size", type=int, default=2000, help="problems in seed.jsonl")
    parser.add_argument("--seed-steps", default="1-3", help="step counts of the seed set, e.g. 1-3")
    parser.add_argument("--test-size", type=int, default=200, help="problems per test set")
    parser.add_argument("--test-steps", default=f"1-{MAX_STEPS}", help="one test set per step count")
    parser.add_argument("--sample", type=int, default=0, help="only print this many sample problems")
    args = parser.parse_args(argv)
    if args.sample:
        rng = random.Random(args.seed)
        for i in range(args.sample):
            problem = generate(rng, 1 + i % MAX_STEPS)
            print(f"[{problem.steps} steps] {problem.text}\n{problem.program}\n=> {problem.answer}\n")
        return
    seed_steps = _steps(args.seed_steps)
    weights = {k: w for k, w in {1: 0.4, 2: 0.35, 3: 0.25}.items() if k in seed_steps} or dict.fromkeys(
        seed_steps, 1.0
    )
    paths = write_sets(
        args.out,
        n_seed=args.seed_size,
        n_test=args.test_size,
        seed=args.seed,
        seed_weights=weights,
        test_steps=_steps(args.test_steps),
    )
    for name, path in paths.items():
        print(f"{name}: {path}")


if __name__ == "__main__":
    main()
