"""A real pre-trained student on a real benchmark, in one process: SmolLM2-135M-Instruct on GSM8K.

Takes the first ``--train`` GSM8K train problems whose gold worked solutions convert to programs
(``fdd.gsm8k_programs``: what the oracle teacher backend answers with), evaluates the base model greedily
on the first ``--test`` GSM8K test problems, fine-tunes it on the programs (the student's training loop,
its per-base defaults: lr 5e-5, batch 8, no masking), evaluates again, and prints accuracy before and
after, the outcome counts, training tokens/s, peak memory and the minutes of each stage. The full run of
the README (``examples/real-student.yaml``: 2,000 / 200 problems through the services) takes hours on 2 CPU
cores; this is its small, in-process version. Programs run in fdd's sandbox.

    .venv/bin/fdd models fetch smollm2-135m     # once per machine
    .venv/bin/python bench/real_student.py [--train 64] [--test 30] [--epochs 1] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_matmul import measure_peaks  # noqa: E402

from fdd.gsm8k_programs import convert  # noqa: E402
from fdd.models import cached  # noqa: E402
from student.inference import PredictItem, load_predictor  # noqa: E402
from student.training import TrainConfig, TrainExample, train  # noqa: E402
from student.training.precision import PRECISIONS  # noqa: E402
from tests.fixtures.data import DATA_DIR  # noqa: E402


def _rows(split: str) -> list[dict]:
    return [json.loads(line) for line in (DATA_DIR / "gsm8k" / f"{split}.jsonl").open()]


def _gold(row: dict) -> float:
    return float(row["answer"].split("####")[-1].replace(",", ""))


def _evaluate(
    model: Path, items: list[PredictItem], args: argparse.Namespace
) -> tuple[float, Counter, float]:
    start = time.monotonic()
    predictor = load_predictor(model, device="cpu", threads=args.threads)
    preds = predictor.predict(items, max_new_tokens=args.max_new_tokens, batch_size=args.batch)
    outcomes = Counter(p.outcome for p in preds)
    return outcomes["correct"] / len(items), outcomes, time.monotonic() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=64, help="GSM8K train problems with a converted program")
    parser.add_argument("--test", type=int, default=30, help="first N GSM8K test problems")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=16, help="generation batch")
    parser.add_argument("--max-new-tokens", type=int, default=256)
    parser.add_argument("--precision", default="auto", choices=PRECISIONS, help="training's")
    args = parser.parse_args()
    base = cached("smollm2-135m")
    if base is None:
        raise SystemExit("SmolLM2 is not fetched: run `.venv/bin/fdd models fetch smollm2-135m` first")
    train_set: list[TrainExample] = []
    for i, row in enumerate(_rows("train")):
        program = convert(row["answer"])
        if program:
            train_set.append(TrainExample(f"gsm8k/train/{i}", row["question"], program))
        if len(train_set) == args.train:
            break
    tests = [
        PredictItem(f"gsm8k/test/{i}", r["question"], _gold(r), {})
        for i, r in enumerate(_rows("test")[: args.test])
    ]
    before, outcomes_before, before_s = _evaluate(base, tests, args)
    print(f"before: {100 * before:.1f} % of {len(tests)} ({dict(outcomes_before)}), {before_s / 60:.1f} min")
    with tempfile.TemporaryDirectory(prefix="fdd-real-student-") as tmp:
        config = TrainConfig(
            base_model=str(base),
            epochs=args.epochs,
            val_fraction=0.0,
            threads=args.threads,
            precision=args.precision,
        )
        start = time.monotonic()
        result = train(train_set, config, Path(tmp) / "ckpt")
        train_s = time.monotonic() - start
        m = result.metrics
        # 6·N FLOP per trained token against this machine's matmul peaks, measured right after
        peaks = measure_peaks([args.threads], seconds=1.0, repeats=3)
        peak, bf16_peak = peaks[("fp32", args.threads)][0], peaks[("bf16", args.threads)][0]
        n_params = m["params"]
        share = m["tokens_per_s"] * 6 * n_params / (peak * 1e9)
        print(
            f"training: {len(train_set)} examples x {args.epochs} epoch(s), {m['steps']} steps of "
            f"{m['batch_size']} at lr {m['lr']} in {m['dtype']}, "
            f"loss {m['first_loss']:.2f} -> {m['train_loss']:.2f}, "
            f"{m['tokens']:,} tokens at {m['tokens_per_s']:.1f} tokens/s, peak memory "
            f"{m['peak_memory_mb']:.0f} MB, {train_s / 60:.1f} min"
        )
        print(
            f"fp32 matmul peak at {args.threads} thread(s): {peak:.1f} GFLOP/s (bf16: {bf16_peak:.1f}); "
            f"6 x {n_params / 1e6:.1f} M FLOP per token at {m['tokens_per_s']:.1f} tokens/s = "
            f"{100 * share:.1f} % of the fp32 peak, {100 * share * peak / bf16_peak:.1f} % of the bf16 one"
        )
        after, outcomes_after, after_s = _evaluate(result.checkpoint_dir, tests, args)
    print(f"after: {100 * after:.1f} % of {len(tests)} ({dict(outcomes_after)}), {after_s / 60:.1f} min")
    print(f"accuracy before -> after fine-tuning: {100 * before:.1f} % -> {100 * after:.1f} %")


if __name__ == "__main__":
    main()
