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
        [--no-names] [--augment 0.3]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import defaultdict
from pathlib import Path

from fdd.curriculum import fixed_step_problems, seed_problems
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
    parser.add_argument("--log", type=Path, default=None, help="per-item JSONL log (of the last seed)")
    return parser.parse_args()


def _run(args: argparse.Namespace, seed: int, examples: list[TrainExample], items: list[PredictItem]) -> dict:
    """Train one student, evaluate it, print its figures; accuracy by step count."""
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
        tiny={"arch": args.arch, **args.tiny},
    )
    with tempfile.TemporaryDirectory() as tmp:
        result = train(examples, config, Path(tmp) / "ckpt")
        predictor = load_predictor(result.checkpoint_dir, device="cpu", engine="hf", threads=args.threads)
        report = evaluate(predictor, items, group_by="steps", log_path=args.log, max_new_tokens=160)
    keys = ("steps", "best_step", "epochs", "seconds", "tokens_per_s", "train_loss", "best_val_loss")
    keys += ("params",)
    print(
        f"seed {seed}:",
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
    return {int(s): group["accuracy"] for s, group in report.by_group.items()}


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
    runs = [_run(args, seed, examples, items) for seed in range(args.seed, args.seed + args.seeds)]
    if len(runs) > 1:
        for s in steps:
            values = [run[s] for run in runs]
            shown = " / ".join(f"{v:.1%}" for v in values)
            print(f"{s}-step over {len(runs)} seeds: mean {sum(values) / len(values):.1%} ({shown})")


if __name__ == "__main__":
    main()
