"""An experiment's summary: arms over seeds, each with its accuracy interval and what it spent.

``run_record`` reduces a finished run (its bundle, ``fdd.report.fetch_run_bundle``) to what a comparison
needs: final accuracy overall and by step count, accuracy per round, teacher requests (upstream calls plus
cache hits: what a fresh run would pay), teacher tokens, new problems requested, student training tokens
and seconds, wall time. ``summarise`` turns the records of all arms and seeds into per-arm estimates
(``fdd.report.stats``), paired differences for the named comparisons, and budget checks: arms compared
should spend the same teacher requests and training tokens, and a gap above ``BUDGET_TOLERANCE`` is
flagged. ``write_summary`` writes summary.json, report.md and a bar plot with error bars.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from fdd.report.plots import error_bars
from fdd.report.stats import Estimate, estimate, paired
from fdd.report.tables import markdown_table, round_view

BUDGET_TOLERANCE = 0.05  # arms of a comparison may differ this much in teacher requests and training tokens


def _seconds(run: dict[str, Any]) -> float | None:
    start, end = run.get("started_at"), run.get("finished_at")
    if not start or not end:
        return None
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def run_record(bundle: dict[str, Any]) -> dict[str, Any]:
    """What a comparison needs of one finished run."""
    run = bundle["run"]
    rounds = run.get("rounds") or []
    views = [round_view(r) for r in rounds]
    evaluated = [v for v in views if v["accuracy"] is not None]
    final = evaluated[-1] if evaluated else None
    teacher = [v["teacher"] for v in views]
    train = [((r.get("metrics") or {}).get("train") or {}).get("metrics") or {} for r in rounds]
    created = [sum(((r.get("metrics") or {}).get("created_by_origin") or {}).values()) for r in rounds]
    rejected = [sum(((r.get("metrics") or {}).get("rejections") or {}).values()) for r in rounds]
    return {
        "run_id": run["id"],
        "status": run["status"],
        "accuracy": 100 * final["accuracy"] if final else None,
        "by_steps": {k: 100 * v for k, v in final["accuracy_by_group"].items()} if final else {},
        "per_round": [100 * v["accuracy"] for v in evaluated],
        "teacher_requests": sum(int(t.get("calls", 0)) + int(t.get("cache_hits", 0)) for t in teacher),
        "teacher_tokens": sum(
            int(t.get("prompt_tokens", 0)) + int(t.get("completion_tokens", 0)) for t in teacher
        ),
        "variants_requested": sum(created) + sum(rejected),
        "train_tokens": sum(int(m.get("tokens", 0)) for m in train),
        "train_seconds": sum(float(m.get("seconds", 0.0)) for m in train),
        "train_epochs": [round(float(m.get("epochs", 0.0)), 2) for m in train],
        "set_sizes": [v["train_examples"] for v in views],
        "wall_seconds": _seconds(run),
    }


def _by_seed(records: dict[int, dict[str, Any]], key: str, sub: str | None = None) -> dict[int, float]:
    out = {}
    for seed, record in records.items():
        value = record.get(key) if sub is None else (record.get(key) or {}).get(sub)
        if value is not None and record.get("status") == "done":
            out[seed] = float(value)
    return out


def _gap(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), 1e-9)


def summarise(
    records: dict[str, dict[int, dict[str, Any]]], comparisons: list[tuple[str, str, list[str]]]
) -> dict[str, Any]:
    """Per-arm estimates and paired comparisons. ``comparisons``: (arm, baseline, budgets that must match)."""
    arms: dict[str, Any] = {}
    for arm, by_seed in records.items():
        acc = _by_seed(by_seed, "accuracy")
        done = [r for r in by_seed.values() if r.get("status") == "done"]
        steps = sorted({k for r in done for k in r.get("by_steps", {})}, key=lambda k: int(k))
        spent = {k: estimate(list(_by_seed(by_seed, k).values())) if _by_seed(by_seed, k) else None
                 for k in ("teacher_requests", "teacher_tokens", "variants_requested", "train_tokens",
                           "train_seconds", "wall_seconds")}  # fmt: skip
        arms[arm] = {
            "seeds": sorted(acc),
            "failed": sorted(s for s, r in by_seed.items() if r.get("status") != "done"),
            "accuracy": estimate(list(acc.values())).to_dict() if acc else None,
            "by_steps": {
                k: estimate(list(_by_seed(by_seed, "by_steps", k).values())).to_dict() for k in steps
            },
            "spent": {k: v.to_dict() if v else None for k, v in spent.items()},
            "per_round": {s: r.get("per_round") for s, r in by_seed.items()},
        }
    out = []
    for arm, base, budgets in comparisons:
        if arm not in records or base not in records:
            continue
        diff = paired(_by_seed(records[arm], "accuracy"), _by_seed(records[base], "accuracy"))
        checks = {}
        for key in budgets:
            a, b = _by_seed(records[arm], key), _by_seed(records[base], key)
            common = sorted(set(a) & set(b))
            worst = max((_gap(a[s], b[s]) for s in common), default=0.0)
            checks[key] = {"worst_gap": worst, "ok": worst <= BUDGET_TOLERANCE}
        extra = paired(
            _by_seed(records[arm], "teacher_requests"), _by_seed(records[base], "teacher_requests")
        )
        asked = list(_by_seed(records[base], "teacher_requests").values())
        per_k = None  # points per 1,000 extra teacher requests, where the arm spent measurably more
        if diff is not None and extra is not None and extra.mean > BUDGET_TOLERANCE * sum(asked) / len(asked):
            per_k = 1000 * diff.mean / extra.mean
        out.append({
            "arm": arm, "baseline": base, "difference": diff.to_dict() if diff else None,
            "above_zero": bool(diff and diff.above_zero), "budgets": checks,
            "points_per_1000_extra_requests": per_k,
        })  # fmt: skip
    return {"arms": arms, "comparisons": out, "budget_tolerance": BUDGET_TOLERANCE}


def _est(d: dict[str, Any] | None, digits: int = 1) -> str:
    return Estimate(**d).text(digits) if d else "–"


def _k(d: dict[str, Any] | None) -> str:
    return f"{d['mean'] / 1000:,.1f}k" if d else "–"


def markdown(title: str, summary: dict[str, Any], notes: list[str]) -> str:
    arms = summary["arms"]
    steps = sorted({k for a in arms.values() for k in a["by_steps"]}, key=int)
    head = ["arm", "seeds", "final accuracy % [95 % CI]", *[f"{k}-step %" for k in steps], "teacher requests",
            "teacher tokens", "new problems asked", "train tokens", "train s", "wall s"]  # fmt: skip
    rows = []
    for name, a in arms.items():
        spent = a["spent"]
        rows.append([
            name, ",".join(map(str, a["seeds"])) + (f" (failed: {a['failed']})" if a["failed"] else ""),
            _est(a["accuracy"]), *[_est(a["by_steps"].get(k), 0) for k in steps],
            _k(spent["teacher_requests"]), _k(spent["teacher_tokens"]), _k(spent["variants_requested"]),
            _k(spent["train_tokens"]), _est(spent["train_seconds"], 0), _est(spent["wall_seconds"], 0),
        ])  # fmt: skip
    lines = [f"# {title}", "", markdown_table(head, rows), ""]
    if summary["comparisons"]:
        chead = ["comparison", "paired difference, points [95 % CI]", "above 0", "points / 1k extra requests",
                 "budgets within 5 %"]  # fmt: skip
        crow = []
        for c in summary["comparisons"]:
            budgets = ", ".join(
                f"{k}: {'ok' if v['ok'] else 'DIFFERS'} ({100 * v['worst_gap']:.1f} %)"
                for k, v in c["budgets"].items()
            )
            per_k = c["points_per_1000_extra_requests"]
            above = "yes" if c["above_zero"] else "no"
            crow.append([f"{c['arm']} − {c['baseline']}", _est(c["difference"]), above,
                         "–" if per_k is None else f"{per_k:+.2f}", budgets or "–"])  # fmt: skip
        lines += ["## Paired comparisons (same seeds)", "", markdown_table(chead, crow), ""]
    lines += ["## Accuracy per round (%)", ""]
    for name, a in arms.items():
        for seed, per_round in sorted(a["per_round"].items()):
            shown = " → ".join(f"{v:.1f}" for v in per_round or [])
            lines.append(f"- {name}, seed {seed}: {shown}")
    lines += ["", *notes]
    return "\n".join(lines) + "\n"


def write_summary(
    title: str, records: dict[str, dict[int, dict[str, Any]]], comparisons: list[tuple[str, str, list[str]]],
    out: Path, notes: list[str] | None = None,
) -> Path:  # fmt: skip
    """summary.json, report.md and comparison.png in ``out``; returns the Markdown file's path."""
    out.mkdir(parents=True, exist_ok=True)
    summary = summarise(records, comparisons)
    (out / "summary.json").write_text(json.dumps({"title": title, "records": records, **summary}, indent=2))
    bars = {name: a["accuracy"] for name, a in summary["arms"].items() if a["accuracy"]}
    plot = error_bars(bars, title, "final held-out accuracy (%), 95 % CI", out / "comparison.png")
    text = markdown(title, summary, [*(notes or []), "", f"![{title}]({plot.name})" if plot else ""])
    path = out / "report.md"
    path.write_text(text)
    return path
