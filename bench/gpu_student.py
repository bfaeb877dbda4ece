"""GPU benchmark of the student: training tokens/s, batched vs one-by-one inference, vLLM vs HF.

On a machine with a CUDA GPU: trains the tiny default (bf16 autocast) on curriculum problems for a
fixed number of steps, then solves held-out problems with HF ``generate`` batched and one by one,
and — when vLLM is installed — with the vLLM engine, printing problems/s and ratios from one run.
Without a GPU it says so and exits with status 0.

    .venv/bin/python bench/gpu_student.py [--train 2000] [--steps 300] [--problems 512]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

import torch


def _rate(predictor, items, batch_size: int) -> tuple[float, float]:
    start = time.perf_counter()
    preds = predictor.predict(items, max_new_tokens=200, batch_size=batch_size)
    seconds = time.perf_counter() - start
    return len(items) / seconds, sum(p.outcome == "correct" for p in preds) / len(preds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=2000)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=64, help="training batch size")
    parser.add_argument("--problems", type=int, default=512)
    parser.add_argument("--single", type=int, default=32, help="problems solved one by one")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print(
            "gpu_student: no CUDA GPU on this machine; nothing to measure "
            "(bench/bench_student.py is the CPU benchmark)"
        )
        return 0
    from bench_student import _data  # the same problems as the CPU benchmark (bench/ is on sys.path)

    from student.inference import load_predictor
    from student.training import TrainConfig, train

    examples, items = _data(args.train, args.problems)
    print(f"device: {torch.cuda.get_device_name(0)}")
    with tempfile.TemporaryDirectory() as tmp:
        config = TrainConfig(max_steps=args.steps, batch_size=args.batch_size, device="cuda")
        m = train(examples, config, Path(tmp) / "ckpt").metrics
        print(
            f"training: {m['steps']} steps in {m['seconds']:.1f} s, "
            f"{m['tokens_per_s']:.0f} tokens/s, {m['dtype']}"
        )
        hf = load_predictor(Path(tmp) / "ckpt", device="cuda", engine="hf")
        batched, acc = _rate(hf, items, 256)
        single, _ = _rate(hf, items[: args.single], 1)
        print(
            f"HF batched (256): {batched:.1f} problems/s (accuracy {acc:.2f}); one by one: {single:.1f}/s; "
            f"ratio {batched / single:.1f}x"
        )
        if importlib.util.find_spec("vllm") is None:
            print("vLLM not installed: no vLLM figure")
            return 0
        vllm = load_predictor(Path(tmp) / "ckpt", engine="vllm")
        fast, acc_v = _rate(vllm, items, len(items))
        print(f"vLLM: {fast:.1f} problems/s (accuracy {acc_v:.2f}); vLLM / HF batched {fast / batched:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
