"""Distribution report of the synthetic curriculum: steps, operations, phrasings, duplicates, leakage.

Generates N problems (default 10,000; step counts 1-8 evenly, and separately the 1-3 step seed mix)
and prints: counts by step count, operation and question kind; how many of the templates were used;
exact and number-masked duplicate rates; how many numbers a question holds (the student masks them
as N1, N2, ...); answer sizes; and word-trigram overlap with the GSM8K test set, side by side with
GSM8K's own train set as the reference for "a different problem from the same genre".

    .venv/bin/python bench/curriculum_report.py [--n 10000] [--data-dir ../shared/data]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time
from collections import Counter

from fdd.curriculum import generate, parse
from fdd.curriculum.parse import templates_of
from fdd.curriculum.sets import SEED_STEP_WEIGHTS
from fdd.curriculum.templates import all_templates
from fdd.datasets import load_gsm8k
from fdd.leakage import LeakageIndex


def _make(n: int, label: str, steps_for) -> tuple[list, float]:
    start = time.perf_counter()
    problems = []
    for i in range(n):
        rng = random.Random(f"report/{label}/{i}")
        problems.append(generate(rng, steps_for(rng, i)))
    return problems, time.perf_counter() - start


def _duplicates(texts: list[str]) -> tuple[float, float]:
    exact = 1 - len(set(texts)) / len(texts)
    masked = [re.sub(r"\d+", "N", t) for t in texts]
    return exact, 1 - len(set(masked)) / len(masked)


def _table(title: str, counts: Counter, total: int) -> None:
    print(f"\n{title}")
    for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        print(f"  {str(key):<14} {count:>7}  {count / total:6.1%}")


def _distribution(even: list, seed_mix: list) -> None:
    n = len(even)
    _table("steps (seed mix 1-3)", Counter(p.steps for p in seed_mix), len(seed_mix))
    ops = Counter(op for p in even for op in p.ops)
    _table("operations (steps 1-8, one per step)", ops, sum(ops.values()))
    _table("question kinds (steps 1-8)", Counter(p.question.kind for p in even), n)
    templates = Counter(key for p in even for key in templates_of(p.text))
    print(
        f"\ntemplates used: {len(templates)} of {len(all_templates())}; "
        f"least used: {sorted(templates.items(), key=lambda kv: kv[1])[:3]}"
    )
    for name, problems in (("steps 1-8", even), ("seed mix 1-3", seed_mix)):
        exact, masked = _duplicates([p.text for p in problems])
        print(f"duplicates in {name}: exact {exact:.2%}, same text with numbers masked {masked:.2%}")
    by_steps: dict[int, list[int]] = {}
    for p in even:
        by_steps.setdefault(p.steps, []).append(len(re.findall(r"\d+", p.text)))
    print(
        "numbers per question (mean / max) by steps: "
        + ", ".join(f"{k}: {statistics.mean(v):.1f}/{max(v)}" for k, v in sorted(by_steps.items()))
    )
    distractors = sum(
        len(re.findall(r"\d+", p.text)) > len(re.findall(r"^\w+ = \d+$", p.program, re.M)) for p in even
    )
    print(f"problems with a distractor number: {distractors / n:.1%}")
    answers = [p.answer for p in even]
    print(f"answers: median {statistics.median(answers)}, max {max(answers)}, zero {answers.count(0)}")


def _leakage(texts: list[str], data_dir: str | None) -> None:
    index = LeakageIndex.from_benchmarks([load_gsm8k(data_dir, split="test")])
    ours = index.report(texts, threshold=0.5)
    reference = index.report([p.question for p in load_gsm8k(data_dir, split="train")], threshold=0.5)
    print("\nword-trigram containment vs GSM8K test (numbers normalised):")
    print(
        f"  curriculum : mean {ours.mean:.3f}, share >= 0.5 {ours.share_above:.2%}, "
        f"p99 {ours.quantiles[0.99]:.3f}, max {ours.quantiles[1.0]:.3f}"
    )
    print(
        f"  GSM8K train: mean {reference.mean:.3f}, share >= 0.5 {reference.share_above:.2%}, "
        f"p99 {reference.quantiles[0.99]:.3f}, max {reference.quantiles[1.0]:.3f}"
    )
    print(f"  ratio curriculum / GSM8K-train mean overlap: {ours.mean / reference.mean:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--data-dir", default=None, help="benchmark data (default: FDD_DATA_DIR / data)")
    args = parser.parse_args()
    n = args.n
    even, gen_s = _make(n, "even", lambda rng, i: 1 + i % 8)
    steps, weights = zip(*SEED_STEP_WEIGHTS.items(), strict=True)
    seed_mix, _ = _make(n, "seed", lambda rng, i: rng.choices(steps, weights)[0])
    start = time.perf_counter()
    parsed = [parse(p.text) for p in even]
    parse_s = time.perf_counter() - start
    recovered = sum(q.program == p.program for p, q in zip(even, parsed, strict=True))
    print(
        f"{n} problems, steps 1-8 evenly: generated in {gen_s:.1f}s ({n / gen_s:.0f}/s); "
        f"parsed in {parse_s:.1f}s ({n / parse_s:.0f}/s); parse recovers the program of {recovered}/{n}"
    )
    _distribution(even, seed_mix)
    _leakage([p.text for p in even], args.data_dir)


if __name__ == "__main__":
    main()
