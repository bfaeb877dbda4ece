"""Benchmark of fdd.leakage (and the GSM8K program conversion share), measured side by side in one run.

Builds the n-gram index over GSM8K test + SVAMP + ASDiv + MultiArith, queries 20,000 questions
(GSM8K train questions, then perturbed copies: new numbers, a dropped first sentence), and compares
with the naive baseline (set intersection against every benchmark question) on a subsample,
extrapolated to the full query count. Then it calibrates the look-alike verdict (word n-grams, the
content signal, either): recall on the hand-written paraphrases of GSM8K test questions in
tests/fdd/data/gsm8k_paraphrases.jsonl and false-positive rate on unrelated problems (GSM8K train
questions, curriculum problems). Then it converts GSM8K train and test solutions to programs.

    .venv/bin/python bench/bench_leakage.py [--data-dir DIR] [--queries 20000] [--naive 200]
        [--unrelated 1000] [--skip-conversion]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from pathlib import Path

from fdd.curriculum import problem_for_seed
from fdd.datasets import load_benchmark
from fdd.gsm8k_programs import convert_dataset
from fdd.leakage import CONTENT_THRESHOLD, LeakageIndex, LookalikeIndex

PARAPHRASES = Path(__file__).resolve().parents[1] / "tests" / "fdd" / "data" / "gsm8k_paraphrases.jsonl"
WORD_THRESHOLD = 0.6  # the run config's default (LeakageConfig.threshold)


def perturb(question: str, rng: random.Random) -> str:
    """A look-alike: every number replaced, and sometimes the first sentence dropped."""
    text = re.sub(r"\d+", lambda m: str(rng.randint(2, 99)), question)
    sentences = text.split(". ")
    if len(sentences) > 2 and rng.random() < 0.5:
        text = ". ".join(sentences[1:])
    return text


def make_queries(base: list[str], count: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    queries = list(base[:count])
    while len(queries) < count:
        queries.append(perturb(base[len(queries) % len(base)], rng))
    return queries


def bench_leakage(data_dir: str | None, n_queries: int, n_naive: int) -> None:
    benchmarks = [load_benchmark("gsm8k", data_dir, "test")]
    benchmarks += [load_benchmark(name, data_dir) for name in ("svamp", "asdiv", "multiarith")]
    train = [p.question for p in load_benchmark("gsm8k", data_dir, "train")]
    queries = make_queries(train, n_queries)

    start, cpu = time.perf_counter(), time.process_time()
    index = LeakageIndex.from_benchmarks(benchmarks)
    build_s, build_cpu = time.perf_counter() - start, time.process_time() - cpu
    start, cpu = time.perf_counter(), time.process_time()
    matches = index.best_matches(queries)
    query_s, query_cpu = time.perf_counter() - start, time.process_time() - cpu
    # CPU seconds are printed beside wall seconds: on a shared machine the wall time includes waiting.
    print(f"index: {len(index)} benchmark questions, built in {build_s:.3f} s ({build_cpu:.3f} s CPU)")
    print(
        f"query: {len(queries)} questions in {query_s:.3f} s ({query_cpu:.3f} s CPU), "
        f"{len(queries) / query_s:,.0f} questions/s"
    )
    print(
        f"total build + query: {build_s + query_s:.3f} s wall, {build_cpu + query_cpu:.3f} s CPU (goal < 5 s)"
    )

    sample = random.Random(1).sample(range(len(queries)), n_naive)
    start = time.perf_counter()
    index.naive_best_match("warm up the naive reference's per-question n-gram sets")
    sets_s = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    naive = [index.naive_best_match(queries[i]) for i in sample]
    naive_s, naive_cpu = time.perf_counter() - start, time.process_time() - cpu
    scale = len(queries) / n_naive
    agree = sum(naive[k] == matches[i] for k, i in enumerate(sample))
    print(
        f"naive: {n_naive} questions in {naive_s:.3f} s ({naive_cpu:.3f} s CPU; +{sets_s:.3f} s building "
        f"sets) -> {naive_s * scale:.1f} s ({naive_cpu * scale:.1f} s CPU) extrapolated to {len(queries)}"
    )
    print(
        f"speed-up over naive (query time): {naive_s * scale / query_s:.1f}x wall, "
        f"{naive_cpu * scale / query_cpu:.1f}x CPU; results identical on {agree}/{n_naive} sampled questions"
    )
    print("\nleakage of GSM8K train questions against the four benchmarks (threshold 0.5):")
    print(index.report(train, threshold=0.5).format())


def _verdicts(index: LookalikeIndex, questions: list[str]) -> dict[str, list[bool]]:
    matches = index.best_matches(questions)
    words = [m.words.score >= WORD_THRESHOLD for m in matches]
    return {
        "words >= 0.5": [m.words.score >= 0.5 for m in matches],
        f"words >= {WORD_THRESHOLD:g}": words,
        f"content >= {CONTENT_THRESHOLD:g}": [m.content.score >= CONTENT_THRESHOLD for m in matches],
        "either (the verdict)": [m.score >= WORD_THRESHOLD for m in matches],
    }


def bench_calibration(data_dir: str | None, n_unrelated: int) -> None:
    """Recall on paraphrases and false-positive rate on unrelated problems, per signal and combined."""
    benchmarks = [load_benchmark("gsm8k", data_dir, "test")]
    benchmarks += [load_benchmark(name, data_dir) for name in ("svamp", "asdiv", "multiarith")]
    start, cpu = time.perf_counter(), time.process_time()
    index = LookalikeIndex.from_problems(p for bench in benchmarks for p in bench)
    print(f"\nlook-alike index (both signals) built in {time.perf_counter() - start:.3f} s "
          f"({time.process_time() - cpu:.3f} s CPU)")  # fmt: skip
    rows = [json.loads(line) for line in PARAPHRASES.read_text().splitlines() if line.strip()]
    train = [p.question for p in load_benchmark("gsm8k", data_dir, "train")]
    unrelated = {
        "gsm8k train": random.Random(0).sample(train, n_unrelated),
        "curriculum": [problem_for_seed(seed, 1 + seed % 8).text for seed in range(n_unrelated // 3)],
    }
    groups = {"all": rows} | {
        s: [r for r in rows if r["strength"] == s] for s in ("light", "medium", "strong")
    }
    para = {name: _verdicts(index, [r["question"] for r in group]) for name, group in groups.items()}
    unrel = {name: _verdicts(index, questions) for name, questions in unrelated.items()}
    header = "".join(f"{f'recall {g} ({len(groups[g])})':>20}" for g in groups)
    header += "".join(f"{f'FPR {u} ({len(unrelated[u])})':>24}" for u in unrelated)
    print(f"{'signal':<22}{header}")
    for signal in para["all"]:
        cells = "".join(f"{sum(v[signal]) / max(len(v[signal]), 1):>20.1%}" for v in para.values())
        cells += "".join(f"{sum(v[signal]) / len(v[signal]):>24.2%}" for v in unrel.values())
        print(f"{signal:<22}{cells}")
    hits = index.best_matches([r["question"] for r in rows])
    right = sum(m.content.problem_id == r["benchmark_id"] for m, r in zip(hits, rows, strict=True))
    print(f"content signal's best match is the paraphrased question for {right}/{len(rows)} paraphrases")


def bench_conversion(data_dir: str | None) -> None:
    try:
        import fdd.answers  # noqa: F401  (verification needs it)

        verify = True
    except ImportError:
        verify = False
    print(f"\nGSM8K solution -> program conversion ({'sandbox-verified' if verify else 'not verified'}):")
    for split in ("train", "test"):
        bench = load_benchmark("gsm8k", data_dir, split)
        start = time.perf_counter()
        report = convert_dataset(bench, verify=verify)
        print(f"  {split}: {report.summary()} in {time.perf_counter() - start:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="benchmark data directory (default: FDD_DATA_DIR)")
    parser.add_argument("--queries", type=int, default=20_000)
    parser.add_argument("--naive", type=int, default=200)
    parser.add_argument(
        "--unrelated", type=int, default=1000, help="GSM8K train questions (+ 1/3 curriculum)"
    )
    parser.add_argument("--skip-conversion", action="store_true")
    args = parser.parse_args()
    bench_leakage(args.data_dir, args.queries, args.naive)
    bench_calibration(args.data_dir, args.unrelated)
    if not args.skip_conversion:
        bench_conversion(args.data_dir)


if __name__ == "__main__":
    main()
