"""Look-alikes of benchmark test problems: one ``fdd.leakage`` index per benchmark set, built once.

The index covers the run's leakage benchmarks: ``leakage.benchmarks`` when set, else the evaluation
benchmarks plus every standard test set found in the data directory (GSM8K test, SVAMP, ASDiv,
MultiArith); ``dataset:<id>`` names are resolved by the datasets slice. The run's synthetic
``curriculum-test`` set is deliberately not indexed: it is drawn from the same grammar as every
generated problem, so its n-gram overlap measures the grammar, not a leak.

Both ``fdd.leakage`` signals are used (word n-grams and the content signal, which catches paraphrases):
a match's ``score`` reaches ``leakage.threshold`` exactly when either signal reaches its own threshold
(the content one is ``leakage.content_threshold``).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from functools import cache

from sqlalchemy.orm import Session

from fdd.datasets import Problem, load_benchmark
from fdd.leakage import LookalikeIndex, Match
from orchestrator.datasets import service as datasets
from orchestrator.runs.schemas import RunConfig

_CACHE: dict[tuple[tuple[str, ...], int, float, float], LookalikeIndex] = {}
_LOCK = threading.Lock()
STANDARD_TEST_SETS = ("gsm8k", "svamp", "asdiv", "multiarith")
log = logging.getLogger("orchestrator.driver")


@cache
def _available(name: str) -> bool:
    try:
        load_benchmark(name)
    except FileNotFoundError:
        log.warning("leakage: benchmark %s not found in the data directory; not compared against", name)
        return False
    return True


def leakage_benchmarks(config: RunConfig) -> tuple[str, ...]:
    if config.leakage.benchmarks is not None:
        return tuple(sorted(set(config.leakage.benchmarks)))
    standard = [name for name in STANDARD_TEST_SETS if _available(name)]
    return tuple(sorted({*config.evaluation.benchmarks, *standard}))


def _problems(session: Session, name: str) -> list[Problem]:
    if not datasets.is_reference(name):
        return list(load_benchmark(name).problems)
    try:
        problems = datasets.resolve_reference(session, name)
    except ValueError as exc:  # not checked at run creation: compared against nothing, as a missing file
        log.warning("leakage: %s; not compared against", exc)
        return []
    return [replace(p, id=f"{name}/{p.id}") for p in problems]


def index_for(session: Session, config: RunConfig) -> LookalikeIndex | None:
    """The (cached) index over the run's leakage benchmarks; None when there are none."""
    names = leakage_benchmarks(config)
    if not names:
        return None
    content_threshold = config.leakage.content_threshold
    key = (names, config.leakage.n, config.leakage.threshold, content_threshold)
    with _LOCK:
        if key not in _CACHE:
            problems = [p for name in names for p in _problems(session, name)]
            _CACHE[key] = LookalikeIndex.from_problems(
                problems,
                n=config.leakage.n,
                threshold=config.leakage.threshold,
                content_threshold=content_threshold,
            )
        return _CACHE[key]


def best_matches(session: Session, config: RunConfig, texts: list[str]) -> list[Match | None]:
    """The best benchmark match of every text (None everywhere when no benchmark is configured)."""
    index = index_for(session, config)
    if index is None:
        return [None] * len(texts)
    return list(index.best_matches(texts))
