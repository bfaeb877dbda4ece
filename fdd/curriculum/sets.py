"""Seed and test sets of curriculum problems, written as JSONL in fdd's dataset schema.

A seed set mixes step counts with given weights (by default the common 1-3 step case); test sets hold
one step count each, so a student's accuracy can be read by problem length. Every problem comes from
its own seeded random stream (``"<seed>/<set>/<index>"``), so a set is the same on every machine, and
no question text appears twice across the sets written together. Loading is ``fdd.datasets``'s job.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Mapping
from pathlib import Path

from fdd.curriculum.generate import DISTRACTOR_RATE, MAX_STEPS, generate
from fdd.curriculum.grammar import Problem

SEED_STEP_WEIGHTS: dict[int, float] = {1: 0.4, 2: 0.35, 3: 0.25}
SOURCE = "synthetic"


def _unique(
    label: str, n: int, seed: int, steps_for, taken: set[str], distractor_rate: float = DISTRACTOR_RATE
) -> list[Problem]:
    made: list[Problem] = []
    index = 0
    while len(made) < n:
        rng = random.Random(f"{seed}/{label}/{index}")
        index += 1
        problem = generate(rng, steps_for(rng), distractor_rate=distractor_rate)
        if problem.text not in taken:
            taken.add(problem.text)
            made.append(problem)
        if index > 20 * n + 100:
            raise RuntimeError(f"too many duplicates while making {label}")
    return made


def seed_problems(
    n: int,
    seed: int = 0,
    weights: Mapping[int, float] = SEED_STEP_WEIGHTS,
    taken: set[str] | None = None,
    *,
    distractor_rate: float = DISTRACTOR_RATE,
) -> list[Problem]:
    """``n`` distinct problems whose step counts follow ``weights`` (step count -> weight)."""
    steps, probs = zip(*sorted(weights.items()), strict=True)
    pick = lambda rng: rng.choices(steps, probs)[0]  # noqa: E731
    return _unique("seed", n, seed, pick, set() if taken is None else taken, distractor_rate)


def fixed_step_problems(
    n: int,
    steps: int,
    seed: int = 0,
    taken: set[str] | None = None,
    *,
    stream: str = "test",
    distractor_rate: float = DISTRACTOR_RATE,
) -> list[Problem]:
    """``n`` distinct problems of exactly ``steps`` steps.

    ``stream`` names the random stream: the same (``seed``, ``stream``) gives the same problems, so
    training and test sets drawn with equal seeds must use different streams (or share ``taken``).
    """
    return _unique(
        f"{stream}{steps}", n, seed, lambda rng: steps, set() if taken is None else taken, distractor_rate
    )


def write_jsonl(path: Path, problems: Iterable[Problem], prefix: str) -> int:
    """Write ``problems`` to ``path`` in the dataset schema, ids ``<prefix>-<index>``; returns the count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for i, problem in enumerate(problems):
            out.write(json.dumps(problem.record(f"{prefix}-{i:05d}", SOURCE)) + "\n")
            count += 1
    return count


def write_sets(
    out_dir: Path | str,
    *,
    n_seed: int = 2000,
    n_test: int = 200,
    seed: int = 0,
    seed_weights: Mapping[int, float] = SEED_STEP_WEIGHTS,
    test_steps: Iterable[int] = range(1, MAX_STEPS + 1),
) -> dict[str, Path]:
    """Write ``seed.jsonl`` and ``test_<k>steps.jsonl`` for each k under ``out_dir``; returns the paths."""
    out = Path(out_dir)
    taken: set[str] = set()
    paths = {"seed": out / "seed.jsonl"}
    write_jsonl(paths["seed"], seed_problems(n_seed, seed, seed_weights, taken), f"synthetic/seed/{seed}")
    for k in test_steps:
        paths[f"test_{k}steps"] = out / f"test_{k}steps.jsonl"
        problems = fixed_step_problems(n_test, k, seed, taken)
        write_jsonl(paths[f"test_{k}steps"], problems, f"synthetic/test{k}/{seed}")
    return paths
