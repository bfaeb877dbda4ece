"""Learning quality of the tiny student on fdd's synthetic curriculum: accuracy by step count.

Trains the tiny default (or ``--arch t5`` / ``gpt2`` for comparison) on seed problems of 1–3 steps
within a time budget, then evaluates greedily on held-out problems of exactly 1..5 steps and prints
accuracy per step count (the goal on a quiet 2-core machine: ≥ 95 / 90 / 70 % on 1 / 2 / 3 steps;
~0 % on 4–5 is expected, docs/architecture.md), and split by whether the question states numbers that the gold
program does not use (the curriculum's distractor facts). Wall-clock budgets make the result depend
on how busy the machine is: the printed tokens/s says how much compute the run actually got.

    .venv/bin/python bench/learning_quality.py [--train 4000] [--minutes 5] [--threads 2] [--seeds 3]
        [--arch llama]
        [--tiny '{"dropout": 0.0, "echo": "question"}'] [--no-mask] [--no-entities] [--no-compact]
        [--no-names] [--augment 0.3] [--compare '{"dropout": 0.0}' | '{"precision": "bf16"}']

``--compare`` trains a second arm on every seed, with those tiny-model overrides on top of ``--tiny``
(keys that name a ``TrainConfig`` field, such as ``precision``, set that field instead), and prints
each arm's mean accuracy per step count with its 95 % interval and the paired difference (compared −
first, same seed) with its interval; use ``--minutes`` large and ``--epochs`` fixed so both
arms get the same compute.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import defaultdict
from dataclasses import fields
from pathlib import Path

from fdd.curriculum import fixed_step_problems, seed_problems
from fdd.report.stats import estimate, paired
from student.inference import PredictItem, evaluate, load_predictor
from student.text.number_slots import CODE_SLOT, mask_program, mask_question
from student.training import TrainConfig, TrainExample, train


def has_extra_numbers(question: str, program: str) -> bool:
    """True when the question states a number that the gold program never uses."""
    _, numbers = mask_question(question)
    used = {int(n) for n in CODE_SLOT.findall(mask_program(program, numbers))}
    return any(i + 1 not in used for i in range(len(numbers.slots)))


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=4000, help="seed problems (1-3 steps)")
    parser.add_argument("--test", type=int, default=200, help="held-out problems per step count")
    parser.add_argument("--max-steps", type=int, default=5, help="longest test problems")
    parser.add_argument("--minutes", type=float, default=5.0, help="training time budget")
    parser.add_argument("--epochs", type=int, default=TrainConfig.epochs)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0, help="first training seed (data stay the same)")
    parser.add_argument("--seeds", type=int, default=1, help="training runs, seeds seed, seed+1, …")
    parser.add_argument("--arch", default="llama", choices=["llama", "gpt2", "t5"])
    parser.add_argument("--tiny", type=json.loads, default={}, help="tiny-model overrides (JSON)")
    parser.add_argument("--no-mask", action="store_true", help="whole numbers instead of N1, N2 …")
    parser.add_argument("--no-entities", action="store_true", help="keep names and items as words")
    parser.add_argument(
        "--augment", type=float, default=TrainConfig.augment_distractors, help="augment_distractors"
    )
    parser.add_argument("--no-compact", action="store_true", help="keep constant lines in the programs")
    parser.add_argument("--no-names", action="store_true", help="keep the teacher's variable names")
    parser.add_argument(
        "--compare",
        type=json.loads,
        default=None,
        help="a second arm's tiny overrides and TrainConfig fields (JSON), per seed",
    )
    parser.add_argument("--log", type=Path, default=None, help="per-item JSONL log (of the last seed)")
    return parser.parse_args()


CONFIG_KEYS = {f.name for f in fields(TrainConfig)} - {"tiny"}


def _run(
    args: argparse.Namespace, seed: int, examples: list[TrainExample], items: list[PredictItem], arm: dict
) -> dict:
    """Train one student, evaluate it, print its figures; accuracy (%) by step count, and tokens/s.
    ``arm``: tiny-model overrides, and ``TrainConfig`` fields by name."""
    tiny = {k: v for k, v in arm.items() if k not in CONFIG_KEYS}
    config = TrainConfig(
        epochs=args.epochs,
        threads=args.threads,
        seed=seed,
        time_limit_s=args.minutes * 60,
        mask_numbers=not args.no_mask,
        mask_entities=not args.no_entities,
        augment_distractors=args.augment,
        compact_programs=not args.no_compact,
        normalize_names=not args.no_names,
        tiny={"arch": args.arch, **tiny},
        **{k: v for k, v in arm.items() if k in CONFIG_KEYS},
    )
    with tempfile.TemporaryDirectory() as tmp:
        result = train(examples, config, Path(tmp) / "ckpt")
        predictor = load_predictor(result.checkpoint_dir, device="cpu", engine="hf", threads=args.threads)
        report = evaluate(predictor, items, group_by="steps", log_path=args.log, max_new_tokens=160)
    keys = ("steps", "best_step", "epochs", "seconds", "tokens_per_s", "train_loss", "best_val_loss")
    keys += ("params", "dtype")
    print(
        f"seed {seed} {json.dumps(arm)}:",
        json.dumps({k: result.metrics[k] for k in keys} | {"stopped": result.metrics["stopped"]}),
    )
    print(f"  accuracy={report.accuracy:.3f} outcomes={report.counts}")
    split: dict[tuple[int, bool], list[int]] = defaultdict(lambda: [0, 0])
    for item, pred in zip(items, report.predictions, strict=True):
        cell = split[(item.meta["steps"], item.meta["extra"])]
        cell[0] += pred.outcome == "correct"
        cell[1] += 1
    for s, group in report.by_group.items():
        parts = [
            f"{'with' if extra else 'without'} extra numbers {c / n:.0%} of {n}"
            for extra in (False, True)
            for c, n in [split[(int(s), extra)]]
            if n
        ]
        print(f"  {s}-step: {group['accuracy']:.1%} of {group['n']}   ({'; '.join(parts)})")
    accuracy = {int(s): 100 * group["accuracy"] for s, group in report.by_group.items()}
    return accuracy | {"tokens_per_s": result.metrics["tokens_per_s"]}


def main() -> None:
    args = _args()
    seeds = seed_problems(args.train, seed=0)
    taken = {p.text for p in seeds}
    steps = range(1, args.max_steps + 1)
    tests = [p for s in steps for p in fixed_step_problems(args.test, s, seed=1, taken=taken)]
    examples = [TrainExample(f"s{i}", p.text, p.program) for i, p in enumerate(seeds)]
    metas = [{"steps": p.steps, "extra": has_extra_numbers(p.text, p.program)} for p in tests]
    pairs = enumerate(zip(tests, metas, strict=True))
    items = [PredictItem(f"t{i}", p.text, p.answer, meta) for i, (p, meta) in pairs]
    print(
        f"arch={args.arch} mask={not args.no_mask} entities={not args.no_entities} "
        f"compact={not args.no_compact} names={not args.no_names} augment={args.augment} "
        f"tiny={args.tiny} train={args.train} test={args.test}/step threads={args.threads}"
    )
    arms = {"first": args.tiny} | ({"compared": {**args.tiny, **args.compare}} if args.compare else {})
    seed_range = range(args.seed, args.seed + args.seeds)
    runs: dict[str, dict[int, dict]] = {arm: {} for arm in arms}
    for seed in seed_range:  # the arms take turns, so a machine's load falls on both alike
        for arm, tiny in arms.items():
            runs[arm][seed] = _run(args, seed, examples, items, tiny)
    if len(seed_range) < 2 and len(arms) < 2:
        return
    print(f"over seeds {list(seed_range)}: mean [95 % interval]")
    for s in [*steps, "tokens_per_s"]:
        row = {arm: {seed: run[s] for seed, run in by_seed.items()} for arm, by_seed in runs.items()}
        label = f"{s}-step %" if s != "tokens_per_s" else "tokens/s"
        cells = [f"{arm} {json.dumps(arms[arm])}: {estimate(list(row[arm].values())).text()}" for arm in arms]
        if args.compare:
            cells.append(f"paired compared - first: {paired(row['compared'], row['first']).text()}")
        print(f"  {label:<12}" + "   ".join(cells))


if __name__ == "__main__":
    main()
