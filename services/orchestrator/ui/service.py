"""What the dashboard's run pages show, assembled from the runs slice's reads and a few binned queries.

``run_summary`` is the live part (status, stage, round, progress of the current stage, cost) that the
pages poll; ``run_page`` adds the charts and tables of a run: accuracy per round per benchmark and by
step count, the training set by origin, the easy/hard/no_answer split and pass rates, the teacher's
calls, cost and yield, rejections by reason and the leakage distribution with its threshold.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session

from orchestrator.pagination import page_of
from orchestrator.runs import repository as runs_repository
from orchestrator.runs import service as runs_service
from orchestrator.runs.models import Round, Run
from orchestrator.runs.schemas import RoundRead, RunRead
from orchestrator.runs.service import ACTION_TARGET
from orchestrator.runs.state import RunStatus, Stage, can_transition
from orchestrator.ui import repository
from orchestrator.ui.charts import line_chart, stacked_bars

ORIGINS = ["seed", "complex", "similar"]
LABELS = ["easy", "hard", "no_answer"]
KINDS = ["complex", "similar"]


def stage_progress(stage: str, progress: dict[str, Any]) -> dict[str, Any]:
    """{done, total, fraction, label} of the current stage from the round's progress record."""
    keys = sorted(
        (k for k in progress if k == stage or k.startswith(f"{stage}-")),
        key=lambda k: int(k.rpartition("-")[2]) if k.rpartition("-")[2].isdigit() else -1,
    )
    if not keys:
        return {"done": 0, "total": 0, "fraction": None, "label": ""}
    entry = progress[keys[-1]] or {}
    done, total = int(entry.get("done", 0) or 0), int(entry.get("total", 0) or 0)
    label = f"{done} / {total}" if total else ""
    if len(keys) > 1:
        label = f"part {len(keys)}: {label}"
    return {"done": done, "total": total, "fraction": done / total if total else None, "label": label}


def summary(run: Run, current: Round | None) -> dict[str, Any]:
    return {
        "id": run.id, "name": run.name, "status": run.status.value, "stage": run.stage.value,
        "round": run.current_round, "rounds": int((run.config or {}).get("rounds", 0)),
        "cost_usd": round(run.teacher_cost_usd or 0.0, 6), "error": run.error,
        "progress": stage_progress(run.stage.value, (current.progress if current else None) or {}),
        "created_at": run.created_at.strftime("%Y-%m-%d %H:%M") if run.created_at else None,
    }  # fmt: skip


def runs_overview(session: Session, limit: int, cursor: int | None) -> dict[str, Any]:
    """A page of runs, newest first, each with its live summary."""
    rows = runs_repository.list_page(session, limit, cursor, None)
    current = {
        (r.run_id, r.index): r for r in repository.rounds_of(session, [run.id for run in rows[:limit]])
    }
    items = [summary(run, current.get((run.id, run.current_round))) for run in rows]
    page = page_of(items, [run.id for run in rows], limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


def run_summary(session: Session, run_id: int) -> dict[str, Any]:
    run = runs_service.get_run_or_404(session, run_id)
    current = runs_repository.round_by_index(session, run_id, run.current_round)
    stored = len(runs_repository.rounds(session, run_id))
    return {**summary(run, current), "rounds_stored": stored}


def actions(status: RunStatus) -> list[str]:
    """The buttons the state machine allows now."""
    return [name for name, target in ACTION_TARGET.items() if can_transition(status, target)]


def _ordered(keys: Any) -> list[str]:
    return sorted(keys, key=lambda k: (0, int(k), "") if str(k).isdigit() else (1, 0, str(k)))


def accuracy_charts(rounds: list[RoundRead]) -> list[Markup]:
    xs = [r.index for r in rounds]
    overall: dict[str, dict[int, float]] = defaultdict(dict)
    grouped: dict[str, dict[str, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    for r in rounds:
        for ev in r.evaluations:
            overall[ev["benchmark"]][r.index] = float(ev["accuracy"])
            for group, stats in (ev.get("by_group") or {}).items():
                if isinstance(stats, dict) and stats.get("accuracy") is not None:
                    grouped[ev["benchmark"]][str(group)][r.index] = float(stats["accuracy"])
    charts = [line_chart("accuracy", "Accuracy per round, by benchmark", xs, dict(overall))]
    for benchmark, groups in grouped.items():
        series = {f"{g} steps" if g.isdigit() else g: groups[g] for g in _ordered(groups)}
        name = "steps" if len(grouped) == 1 else f"steps-{benchmark}"
        charts.append(line_chart(name, f"Accuracy by step count: {benchmark}", xs, series))
    return charts


def pool_chart(rounds: list[RoundRead]) -> Markup:
    """The problems the student trains on in each round: the seeds plus the variants of earlier rounds."""
    created = {r.index: r.problems_created for r in rounds}
    stacks: dict[str, list[float]] = {origin: [] for origin in ORIGINS}
    for r in rounds:
        for origin in ORIGINS:
            if origin == "seed":
                stacks[origin].append(created.get(0, {}).get("seed", 0))
            else:
                stacks[origin].append(sum(created[k].get(origin, 0) for k in created if k < r.index))
    return stacked_bars("pool", "Training set by origin (seeds + variants of earlier rounds)",
                        [str(r.index) for r in rounds], stacks)  # fmt: skip


def label_chart(rounds: list[RoundRead]) -> Markup | None:
    classified = [r for r in rounds if r.labels]
    if not classified:
        return None
    stacks = {label: [r.labels.get(label, 0) for r in classified] for label in LABELS}
    return stacked_bars("labels", "Student's easy / hard / no answer per round",
                        [str(r.index) for r in classified], stacks)  # fmt: skip


def histogram(name: str, title: str, rows: list[tuple[str, int, int]], bins: int, **kw: Any) -> Markup:
    """Stacked bars over ``bins`` equal bins of [0, 1] from (series, bin, count) rows (1.0 joins the last)."""
    series = sorted({s for s, _, _ in rows}, key=lambda s: (len(s), s))
    stacks = {s: [0.0] * bins for s in series}
    for s, b, n in rows:
        stacks[s][min(max(b, 0), bins - 1)] += n
    categories = [f"{i / bins:.2g}" for i in range(bins)]
    return stacked_bars(name, title, categories, stacks, **kw)


def pass_rate_charts(session: Session, run_id: int) -> list[Markup]:
    by_round: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    for index, b, n in repository.pass_rate_bins(session, run_id, 10):
        by_round[index].append((f"round {index}", b, n))
    return [
        histogram(f"pass-rate-{i}", f"Pass rate of the student's samples, round {i}", by_round[i], 10,
                  x_label="pass rate (bin start)")
        for i in sorted(by_round)
    ]  # fmt: skip


def leakage_chart(session: Session, run: RunRead) -> Markup | None:
    rows = repository.leak_bins(session, run.id, 20)
    if not rows:
        return None
    threshold = run.config.leakage.threshold
    title = "Leakage score of new problems (n-gram overlap with benchmarks)"
    marker = (threshold, f"threshold {threshold:g}")
    return histogram("leakage", title, rows, 20, x_label="leakage score (bin start)", marker=marker)


def rejection_chart(session: Session, run_id: int) -> Markup | None:
    counts: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for index, _kind, reason, n in repository.rejection_counts(session, run_id):
        counts[reason][index] += n
    if not counts:
        return None
    indexes = sorted({i for by_round in counts.values() for i in by_round})
    stacks = {reason: [counts[reason].get(i, 0) for i in indexes] for reason in sorted(counts)}
    return stacked_bars("rejections", "Rejected new problems by reason", [str(i) for i in indexes], stacks)


def teacher_rows(session: Session, run: RunRead) -> list[dict[str, Any]]:
    """Per round: the teacher's calls, cache hits, tokens and cost, and per kind the yield of variants."""
    per_item = {"complex": run.config.teacher.n_complex, "similar": run.config.teacher.n_similar}
    items = {(r, k): n for r, k, n in repository.generate_items(session, run.id)}
    rejected: dict[tuple[int, str], int] = defaultdict(int)
    for index, kind, _reason, n in repository.rejection_counts(session, run.id):
        rejected[(index, kind)] += n
    costs = {(r, o): (n, c) for r, o, n, _t, c in repository.rationale_costs(session, run.id)}
    rows = []
    for r in run.rounds:
        teacher = r.metrics.get("teacher") or {}
        kinds = {}
        for kind in KINDS:
            requested = items.get((r.index, kind), 0) * per_item[kind]
            accepted = r.problems_created.get(kind, 0)
            kinds[kind] = {
                "requested": requested, "accepted": accepted, "rejected": rejected[(r.index, kind)],
                "yield": accepted / requested if requested else None,
                "cost_usd": costs.get((r.index, kind), (0, 0.0))[1],
            }  # fmt: skip
        rows.append({"round": r.index, "teacher": teacher, "kinds": kinds,
                     "seed_cost_usd": costs.get((r.index, "seed"), (0, 0.0))[1]})  # fmt: skip
    return rows


def run_page(session: Session, run_id: int) -> dict[str, Any]:
    """Everything the run page shows."""
    run = runs_service.get_run(session, run_id)
    charts = [
        *accuracy_charts(run.rounds),
        pool_chart(run.rounds),
        label_chart(run.rounds),
        *pass_rate_charts(session, run_id),
        rejection_chart(session, run_id),
        leakage_chart(session, run),
    ]
    return {
        "run": run,
        "live": run_summary(session, run_id),
        "charts": [c for c in charts if c is not None],
        "teacher": teacher_rows(session, run),
        "actions": actions(run.status),
        "stages": [s.value for s in Stage],
    }
