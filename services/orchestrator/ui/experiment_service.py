"""What the dashboard's experiment pages show: the runs grouped by their ``experiment`` label, arms side by
side.

An experiment is the set of runs whose config carries ``labels.experiment`` (``fdd experiment`` writes it
with ``arm`` and ``seed``); a run without it is no experiment's. The figures are those of ``fdd
experiment``'s report, computed by the same code: each finished run is reduced by
``fdd.report.experiment.run_record`` from the read the admin API returns for it, and the arms by its
``summarise`` (mean with a 95 % t-interval over seeds, the paired difference on the seeds two arms share,
a budget gap above its tolerance flagged). Runs that are not done, or have no whole-number seed, are listed
but left out of the statistics; of two done runs of one arm and seed the newer counts.

``fdd.report`` is imported where it is used: it brings scipy and matplotlib, a second or more of start-up that
every orchestrator process would otherwise pay for a page few open.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import Session

from fdd_web.errors import NotFound
from orchestrator.errors import Invalid
from orchestrator.runs import service as runs_service
from orchestrator.runs.state import RunStatus
from orchestrator.ui import repository
from orchestrator.ui.charts import error_bars

BUDGETS = ["teacher_requests", "train_tokens"]  # what two compared arms should spend alike
PREFERRED_BASELINE = "fdd"
NO_ARM = "(no arm)"
STATE = {
    RunStatus.DONE: "done",
    RunStatus.PENDING: "running", RunStatus.RUNNING: "running", RunStatus.PAUSED: "running",
    RunStatus.FAILED: "failed", RunStatus.CANCELLED: "failed",
}  # fmt: skip


def _seed(text: str | None) -> int | None:
    return int(text) if text and text.isascii() and text.isdigit() else None


def _counts(rows: list[sa.Row[Any]]) -> dict[str, int]:
    """Runs done, running (pending, running, paused) and failed (failed, cancelled)."""
    counts = dict.fromkeys(("done", "running", "failed"), 0)
    for row in rows:
        counts[STATE[row.status]] += 1
    return counts


def _arm(row: sa.Row[Any]) -> str:
    return row.arm or NO_ARM


def _seeds(rows: list[sa.Row[Any]]) -> list[str]:
    return sorted({row.seed or "–" for row in rows}, key=lambda s: (_seed(s) is None, _seed(s) or 0, s))


def experiments_overview(session: Session) -> dict[str, Any]:
    """Every experiment, the one with the newest run first: its arms, seeds and runs by state."""
    groups: dict[str, list[sa.Row[Any]]] = defaultdict(list)
    for row in repository.experiment_runs(session):
        groups[row.experiment].append(row)
    items = [
        {"name": name, "arms": sorted({_arm(r) for r in rows}), "seeds": _seeds(rows),
         "counts": _counts(rows), "runs": len(rows), "last_created": rows[-1].created_at}
        for name, rows in sorted(groups.items(), key=lambda kv: -kv[1][-1].id)
    ]  # fmt: skip
    return {"items": items}


def default_baseline(arms: list[str]) -> str:
    return PREFERRED_BASELINE if PREFERRED_BASELINE in arms else arms[0]


def _with_text(estimate: dict[str, Any] | None) -> dict[str, Any] | None:
    """An estimate of ``summarise`` with its ``text`` as ``fdd experiment`` prints it."""
    from fdd.report.stats import Estimate

    return None if estimate is None else {**estimate, "text": Estimate(**estimate).text(1)}


def _records(session: Session, rows: list[sa.Row[Any]]) -> dict[int, dict[str, Any]]:
    """``run_record`` of every done run, from the same read as the admin API's ``GET /v1/runs/{id}``."""
    from fdd.report.experiment import run_record

    return {
        row.id: run_record({"run": runs_service.get_run(session, row.id).model_dump(mode="json")})
        for row in rows
        if row.status is RunStatus.DONE
    }


def _run_rows(
    rows: list[sa.Row[Any]], records: dict[int, dict[str, Any]], counted: dict[tuple[str, int], int]
) -> list[dict[str, Any]]:
    """Each run with its figures and, when it is left out of the statistics, why."""
    out = []
    for row in rows:
        record, seed = records.get(row.id), _seed(row.seed)
        if row.status is not RunStatus.DONE:
            why = "not finished" if STATE[row.status] == "running" else row.status.value
        elif seed is None:
            why = "no whole-number seed label"
        elif counted[(_arm(row), seed)] != row.id:
            why = f"replaced by the newer run #{counted[(_arm(row), seed)]}"
        else:
            why = "no evaluation" if record is None or record["accuracy"] is None else ""
        out.append({"id": row.id, "name": row.name, "status": row.status.value, "seed": row.seed or "–",
                    "record": record, "left_out": why})  # fmt: skip
    return out


def experiment_page(session: Session, name: str, baseline: str | None) -> dict[str, Any]:
    """The arms of experiment ``name`` side by side, and every other arm's paired difference from
    ``baseline`` (None: ``fdd`` when there is such an arm, else the first by name)."""
    from fdd.report.experiment import summarise

    rows = repository.experiment_runs(session, name)
    if not rows:
        raise NotFound(f"no experiment named {name!r}")
    arms = sorted({_arm(r) for r in rows})
    base = baseline or default_baseline(arms)
    if base not in arms:
        raise Invalid("baseline", f"must be one of this experiment's arms: {', '.join(arms)}")
    records = _records(session, rows)
    counted: dict[tuple[str, int], int] = {}  # (arm, seed) -> the run that counts
    for row in rows:  # by id: the newer done run of an arm and seed replaces the older
        seed = _seed(row.seed)
        if row.id in records and seed is not None:
            counted[(_arm(row), seed)] = row.id
    per_seed: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
    for (arm, seed), run_id in counted.items():
        per_seed[arm][seed] = records[run_id]
    summary = summarise(dict(per_seed), [(arm, base, BUDGETS) for arm in arms if arm != base])
    by_arm: dict[str, list[sa.Row[Any]]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (_seed(r.seed) is None, _seed(r.seed) or 0, r.id)):
        by_arm[_arm(row)].append(row)
    return {
        "name": name,
        "baseline": base,
        "arms": [_arm_view(arm, by_arm[arm], summary["arms"].get(arm), records, counted) for arm in arms],
        "steps": sorted({k for a in summary["arms"].values() for k in a["by_steps"]}, key=_step_key),
        "comparisons": [_comparison_view(c) for c in summary["comparisons"]],
        "tolerance": summary["budget_tolerance"],
        "chart": accuracy_chart(summary["arms"]),
    }


def _step_key(key: str) -> tuple[bool, int, str]:
    return (not key.isdigit(), int(key) if key.isdigit() else 0, key)


def _arm_view(
    arm: str, rows: list[sa.Row[Any]], stats: dict[str, Any] | None, records: dict[int, dict[str, Any]],
    counted: dict[tuple[str, int], int],
) -> dict[str, Any]:  # fmt: skip
    spent = (stats or {}).get("spent") or {}
    counted_seeds = (stats or {}).get("seeds", [])
    return {
        "name": arm,
        "counted_seeds": counted_seeds,
        "other_seeds": [s for s in _seeds(rows) if _seed(s) not in counted_seeds],
        "counts": _counts(rows),
        "accuracy": _with_text((stats or {}).get("accuracy")),
        "by_steps": {k: _with_text(v) for k, v in ((stats or {}).get("by_steps") or {}).items()},
        "teacher_requests": (spent.get("teacher_requests") or {}).get("mean"),
        "train_tokens": (spent.get("train_tokens") or {}).get("mean"),
        "runs": _run_rows(rows, records, counted),
    }


def _comparison_view(comparison: dict[str, Any]) -> dict[str, Any]:
    difference = comparison["difference"]
    return {
        "arm": comparison["arm"],
        "difference": _with_text(difference),
        "above_zero": comparison["above_zero"],
        # without a common seed there is nothing to compare, and summarise's budget check is vacuous
        "budgets": comparison["budgets"] if difference else {},
    }


def accuracy_chart(arms: dict[str, Any]) -> Markup:
    """The arms' final accuracy (mean and interval over seeds) as dots with error bars."""
    shares = {
        name: {k: None if a["accuracy"][k] is None else a["accuracy"][k] / 100 for k in ("mean", "lo", "hi")}
        | {"n": a["accuracy"]["n"]}
        for name, a in arms.items()
        if a["accuracy"]
    }
    return error_bars("final-accuracy", "Final accuracy by arm: mean and 95 % interval over seeds", shares)
