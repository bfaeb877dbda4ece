"""Builders for the student's tests: easy one-step word problems and a tiny model trained once.

The problems are deliberately trivial (add or take away, two numbers) so that a sub-million-parameter
model learns them in seconds on one thread; the curriculum's own problems are exercised by
``bench/learning_quality.py``. ``trained_tiny()`` trains once per test process and caches the result.
"""

from __future__ import annotations

import atexit
import random
import shutil
import tempfile
from functools import cache
from pathlib import Path

from student.inference import PredictItem
from student.training import TrainConfig, TrainExample, TrainResult, train

NAMES = ["Tom", "Ann", "Maria", "Ken", "Lily", "Omar", "Sara", "Ben"]
ITEMS = ["apples", "marbles", "books", "stickers", "coins", "pens"]


def easy_problems(n: int, seed: int) -> list[tuple[str, str, int]]:
    """``n`` (question, program, answer) triples: one addition or subtraction each."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        name, item, a = rng.choice(NAMES), rng.choice(ITEMS), rng.randint(10, 60)
        if rng.random() < 0.5:
            b = rng.randint(2, 40)
            question = f"{name} has {a} {item}. {name} buys {b} more {item}. How many {item} now?"
            out.append((question, f"ans = {a} + {b}", a + b))
        else:
            b = rng.randint(1, a - 1)
            question = f"{name} has {a} {item}. {name} gives away {b} {item}. How many {item} now?"
            out.append((question, f"ans = {a} - {b}", a - b))
    return out


def examples(n: int, seed: int) -> list[TrainExample]:
    """Training examples from ``easy_problems``."""
    return [TrainExample(f"e{seed}-{i}", q, p) for i, (q, p, _) in enumerate(easy_problems(n, seed))]


def items(n: int, seed: int) -> list[PredictItem]:
    """Held-out problems with gold answers (``meta["steps"]`` is 1)."""
    return [
        PredictItem(f"t{seed}-{i}", q, a, {"steps": 1}) for i, (q, _, a) in enumerate(easy_problems(n, seed))
    ]


def scratch_dir() -> Path:
    """A temporary directory removed when the test process exits."""
    path = Path(tempfile.mkdtemp(prefix="fdd-student-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


# These problems differ only in names, items and numbers: with entity masking on they would collapse
# into two distinct (question, program) pairs, and the tests are about the loop, not the masking
# (test_training.test_entities_are_masked_in_training_and_inference checks that).
FAST = {
    "epochs": 12,
    "batch_size": 16,
    "lr": 3e-3,
    "threads": 1,
    "val_fraction": 0.1,
    "mask_entities": False,
}


@cache
def trained_tiny() -> TrainResult:
    """The tiny default trained on 200 easy problems (a few seconds; once per process)."""
    return train(examples(200, seed=1), TrainConfig(**FAST), scratch_dir() / "tiny")
