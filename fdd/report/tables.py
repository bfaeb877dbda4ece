"""The per-round table of a run, as a rich table (terminal) and as Markdown (the report).

It reads only the JSON the orchestrator returns for a run (``rounds[*].metrics``), so the CLI and the
report show the same numbers.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table

COLUMNS = [
    "round",
    "acc %",
    "acc % by steps",
    "trained on",
    "pool seed/cx/sim",
    "easy/hard/none",
    "calls",
    "hits",
    "rejected",
]


PRIMARY = "curriculum-test"


def primary_benchmark(metrics: dict[str, Any]) -> str | None:
    """The benchmark a round is judged by: the run's curriculum test set, else the first evaluated."""
    evaluations = metrics.get("evaluations") or {}
    if PRIMARY in evaluations:
        return PRIMARY
    return next(iter(evaluations), None)


def round_view(rnd: dict[str, Any]) -> dict[str, Any]:
    """A round read flattened for tables and plots: accuracy (primary benchmark), by group, set, labels…"""
    m = rnd.get("metrics") or {}
    name = primary_benchmark(m)
    evaluation = (m.get("evaluations") or {}).get(name) or {}
    by_group = {
        str(k): float(v["accuracy"])
        for k, v in (evaluation.get("by_group") or {}).items()
        if isinstance(v, dict) and v.get("accuracy") is not None
    }
    return {
        "index": rnd.get("index"),
        "benchmark": name,
        "accuracy": evaluation.get("accuracy"),
        "accuracy_by_group": by_group,
        "set_by_origin": m.get("pool_by_origin") or {},
        "train_examples": _trained_on(m),
        "labels": m.get("labels") or {},
        "teacher": m.get("teacher") or {},
        "rejections": m.get("rejections") or {},
        "evaluations": m.get("evaluations") or {},
    }


def _trained_on(metrics: dict[str, Any]) -> int | None:
    """Examples the round's student was trained on (train + validation split), from TRAIN's metrics."""
    train = (metrics.get("train") or {}).get("metrics") or {}
    if "train_examples" in train:
        return int(train["train_examples"]) + int(train.get("val_examples", 0))
    return metrics.get("distillation_examples")


def _group_key(key: str) -> tuple[int, str]:
    return (int(key), key) if key.isdigit() else (10**9, key)


def _pct(value: Any) -> str:
    return "–" if value is None else f"{100 * float(value):.1f}"


def round_rows(run: dict[str, Any]) -> list[list[str]]:
    rows = []
    for rnd in run.get("rounds") or []:
        m = round_view(rnd)
        by_group = m["accuracy_by_group"]
        steps = " ".join(
            f"{k}:{_pct(v)}" for k, v in sorted(by_group.items(), key=lambda kv: _group_key(kv[0]))
        )
        origin = m.get("set_by_origin") or {}
        labels = m.get("labels") or {}
        teacher = m.get("teacher") or {}
        rejected = m.get("rejections") or {}
        rows.append(
            [
                str(rnd.get("index")),
                _pct(m.get("accuracy")),
                steps or "–",
                str(m["train_examples"] if m["train_examples"] is not None else "–"),
                "/".join(str(origin.get(k, 0)) for k in ("seed", "complex", "similar")),
                "/".join(str(labels.get(k, 0)) for k in ("easy", "hard", "no_answer")) if labels else "–",
                str(teacher.get("calls", "–")),
                str(teacher.get("cache_hits", "–")),
                ", ".join(f"{k} {v}" for k, v in sorted(rejected.items())) or "0",
            ]
        )
    return rows


def round_table(run: dict[str, Any]) -> Table:
    table = Table(*COLUMNS, title=f"run {run.get('id')} — {run.get('name')}")
    for row in round_rows(run):
        table.add_row(*row)
    return table


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def round_markdown(run: dict[str, Any]) -> str:
    return markdown_table(COLUMNS, round_rows(run))


STUDENT_STAGES = ("train", "evaluate", "classify")
TIME_COLUMNS = ["round", "wall s", "by stage (s)", "student compute s (train/eval/classify)", "overhead"]


def time_rows(run: dict[str, Any]) -> list[list[str]]:
    """Per round: wall time by stage, the student's own compute inside its jobs, and the overhead share of the
    round: its wall time less that compute (teacher, sandbox, database, queueing and polling; compute that
    ran beside the teacher, a feedback round's evaluation, comes off both)."""
    rows = []
    for rnd in run.get("rounds") or []:
        m = rnd.get("metrics") or {}
        timing = {k: float(v) for k, v in (m.get("timing") or {}).items() if not k.startswith("_")}
        if not timing:
            continue
        compute = {k: float(v) for k, v in (m.get("compute") or {}).items()}
        wall, spent = sum(timing.values()), sum(compute.values())
        overhead = "–" if wall <= 0 else f"{100 * (wall - spent) / wall:.1f} %"
        rows.append([
            str(rnd.get("index")), f"{wall:.1f}", " ".join(f"{k} {v:.1f}" for k, v in timing.items()),
            f"{spent:.1f} ({'/'.join(f'{compute.get(k, 0.0):.1f}' for k in STUDENT_STAGES)})",
            overhead,
        ])  # fmt: skip
    return rows


def pass_rate_rows(run: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Per classified round, how many of the pool's problems had each share of correct samples (CLASSIFY's
    ``pass_rates``: bins of 0.1 named by their start; greedy CLASSIFY gives 0.0 and 1.0 only), with the
    share of the round's problems in each bin; header and rows."""
    by_round = [
        (rnd.get("index"), {k: int(v) for k, v in (rnd.get("metrics") or {}).get("pass_rates", {}).items()})
        for rnd in run.get("rounds") or []
    ]
    by_round = [(index, counts) for index, counts in by_round if counts]
    bins = sorted({b for _, counts in by_round for b in counts}, key=float)
    rows = []
    for index, counts in by_round:
        total = sum(counts.values())
        cells = [f"{counts.get(b, 0)} ({100 * counts.get(b, 0) / total:.0f} %)" for b in bins]
        rows.append([str(index), str(total), *cells])
    return ["round", "problems", *bins], rows
