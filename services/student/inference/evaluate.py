"""Evaluation of a student on a list of problems: accuracy overall and by group, with a per-item log.

``evaluate`` runs ``Predictor.predict`` and summarises: accuracy (correct / n), counts by outcome,
mean pass-rate, accuracy by a ``meta`` key (``steps`` for the synthetic curriculum), and the
population hash of what was evaluated (fdd.datasets' definition), so that two evaluations are
compared only when they saw the same problems. The per-item log is JSONL, one problem per line.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fdd.datasets import Problem, normalise_text

from .predictor import OUTCOMES, Prediction, PredictItem, Predictor


@dataclass
class EvalResult:
    """Summary of one evaluation; ``predictions`` are kept for callers but left out of ``to_dict``."""

    accuracy: float
    n: int
    counts: dict[str, int]  # by outcome: correct, wrong, no_answer, unknown
    by_group: dict[str, dict[str, float | int]]  # group value -> {"n", "correct", "accuracy"}
    group_by: str | None
    population_hash: str
    mean_pass_rate: float | None
    seconds: float
    predictions: list[Prediction] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable summary (without the per-item predictions)."""
        return {
            "accuracy": self.accuracy,
            "n": self.n,
            "counts": dict(self.counts),
            "by_group": self.by_group,
            "group_by": self.group_by,
            "population_hash": self.population_hash,
            "mean_pass_rate": self.mean_pass_rate,
            "seconds": self.seconds,
        }


def content_hash(item: PredictItem) -> str:
    """fdd.datasets' content hash of a problem; without a gold answer, the hash of its question alone."""
    if item.gold is not None:
        return Problem(item.id, item.question, item.gold, "", item.meta).content_hash
    return hashlib.sha256((normalise_text(item.question) + "\x1f").encode()).hexdigest()


def population_hash(items: Sequence[PredictItem]) -> str:
    """sha256 of the sorted content hashes (equals ``fdd.datasets.population_hash`` when golds are known)."""
    digest = hashlib.sha256()
    for h in sorted(content_hash(item) for item in items):
        digest.update(h.encode("ascii") + b"\n")
    return digest.hexdigest()


def _by_group(items: Sequence[PredictItem], preds: list[Prediction], key: str) -> dict[str, dict]:
    groups: dict[str, dict[str, float | int]] = {}
    for item, pred in zip(items, preds, strict=True):
        g = groups.setdefault(str(item.meta.get(key)), {"n": 0, "correct": 0})
        g["n"] += 1
        g["correct"] += pred.outcome == "correct"
    for g in groups.values():
        g["accuracy"] = g["correct"] / g["n"]
    return dict(sorted(groups.items()))


def write_log(path: Path, items: Sequence[PredictItem], preds: list[Prediction]) -> None:
    """One JSON line per problem: question, gold, meta and the full prediction."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as out:
        for item, pred in zip(items, preds, strict=True):
            record = {"question": item.question, "gold": item.gold, "meta": item.meta, **pred.to_dict()}
            out.write(json.dumps(record, default=str) + "\n")


def evaluate(
    predictor: Predictor,
    items: Sequence[PredictItem],
    group_by: str | None = "steps",
    log_path: Path | None = None,
    **predict_kwargs: Any,
) -> EvalResult:
    """Predict ``items`` (``predict_kwargs`` go to ``Predictor.predict``) and summarise the outcomes."""
    start = time.monotonic()
    preds = predictor.predict(items, **predict_kwargs)
    counts = {o: sum(p.outcome == o for p in preds) for o in OUTCOMES}
    rates = [p.pass_rate for p in preds if p.pass_rate is not None]
    if log_path is not None:
        write_log(Path(log_path), items, preds)
    return EvalResult(
        accuracy=counts["correct"] / len(preds) if preds else 0.0,
        n=len(preds),
        counts=counts,
        by_group=_by_group(items, preds, group_by) if group_by else {},
        group_by=group_by,
        population_hash=population_hash(items),
        mean_pass_rate=sum(rates) / len(rates) if rates else None,
        seconds=time.monotonic() - start,
        predictions=preds,
    )
