"""The data card written beside an exported distillation set (``fdd run export ID -o set.jsonl``).

``ExportTally`` counts the export's rows as they stream past (by origin, by label, by the teacher that wrote
each rationale, their leakage scores), so the card describes exactly the rows written; ``data_card`` adds
what the run read says (its config, the teacher's usage and the rejections for leakage of each round up
to the exported one) and ``write_card`` puts it in ``set.card.json``. Nothing here talks to a database.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

USAGE_FIELDS = ("calls", "cache_hits", "prompt_tokens", "completion_tokens", "cost_usd")


class ExportTally:
    """Counts of the exported rows (JSON lines of ``ExportRow``)."""

    def __init__(self) -> None:
        self.rows = 0
        self.problems: dict[int, str] = {}  # problem id -> origin
        self.by_origin: Counter[str] = Counter()
        self.by_label: Counter[str] = Counter()
        self.by_teacher: Counter[tuple[str | None, str | None, str | None]] = Counter()
        self.leak_scores: dict[int, float] = {}

    def add(self, line: str) -> None:
        row = json.loads(line)
        self.rows += 1
        self.problems[row["problem_id"]] = row["origin"]
        self.by_origin[row["origin"]] += 1
        self.by_label[row.get("label") or "unlabelled"] += 1
        teacher = (row.get("teacher_backend"), row.get("teacher_model"), row.get("prompt_version"))
        self.by_teacher[teacher] += 1
        if row.get("leak_score") is not None:
            self.leak_scores[row["problem_id"]] = float(row["leak_score"])


def card_path(output: Path) -> Path:
    """``set.jsonl`` -> ``set.card.json`` (beside it)."""
    return output.with_name(f"{output.stem if output.suffix else output.name}.card.json")


def _leakage(run: dict[str, Any], rounds: list[dict[str, Any]], tally: ExportTally) -> dict[str, Any]:
    config = (run.get("config") or {}).get("leakage") or {}
    threshold = config.get("threshold")
    scores = list(tally.leak_scores.values())
    by_round = []
    for rnd in rounds:
        metrics = rnd.get("metrics") or {}
        leak = metrics.get("leakage") or {}
        rejected = (metrics.get("rejections") or {}).get("leakage", 0)
        by_round.append({"round": rnd["index"], **leak, "rejected_for_leakage": rejected})
    return {
        "threshold": threshold,
        "ngram": config.get("n"),
        "benchmarks": config.get("benchmarks") or "evaluation benchmarks and the standard test sets",
        "problems_scored": len(scores),
        "mean_score": sum(scores) / len(scores) if scores else None,
        "max_score": max(scores) if scores else None,
        "problems_at_or_above_threshold": None if threshold is None else sum(s >= threshold for s in scores),
        "rejected_for_leakage": sum(r["rejected_for_leakage"] for r in by_round),
        "by_round": by_round,
    }


def _teacher(run: dict[str, Any], rounds: list[dict[str, Any]], tally: ExportTally) -> dict[str, Any]:
    by_round = []
    total = dict.fromkeys(USAGE_FIELDS, 0)
    for rnd in rounds:
        usage = (rnd.get("metrics") or {}).get("teacher")
        if usage:
            by_round.append({"round": rnd["index"], **usage})
            for field in USAGE_FIELDS:
                total[field] += usage.get(field) or 0
    rationales = [
        {"backend": backend, "model": model, "prompt_version": prompt, "rows": n}
        for (backend, model, prompt), n in tally.by_teacher.most_common()
    ]
    return {
        "run_cost_usd": run.get("teacher_cost_usd"),
        "usage": total,
        "by_round": by_round,
        "rationales_by_teacher": rationales,
    }


def data_card(
    run: dict[str, Any], tally: ExportTally, round_index: int | None, output: Path
) -> dict[str, Any]:
    """The card of an export of ``run`` up to ``round_index`` (None: every round so far)."""
    rounds = [r for r in run.get("rounds") or [] if round_index is None or r["index"] <= round_index]
    return {
        "card": "fdd distillation set",
        "file": output.name,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "run": {k: run.get(k) for k in ("id", "name", "status", "stage", "current_round", "created_at")},
        "up_to_round": round_index,
        "rows": tally.rows,
        "problems": len(tally.problems),
        "rows_by_origin": dict(sorted(tally.by_origin.items())),
        "problems_by_origin": dict(sorted(Counter(tally.problems.values()).items())),
        "rows_by_label": dict(sorted(tally.by_label.items())),
        "leakage": _leakage(run, rounds, tally),
        "teacher": _teacher(run, rounds, tally),
        "config": run.get("config"),
    }


def write_card(run: dict[str, Any], tally: ExportTally, round_index: int | None, output: Path) -> Path:
    """Write the export's data card beside ``output``; return its path."""
    path = card_path(output)
    card = data_card(run, tally, round_index, output)
    path.write_text(json.dumps(card, indent=2, default=str) + "\n")
    return path
