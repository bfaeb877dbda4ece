"""A run's report: Markdown with the per-round table and PNG plots, built from the orchestrator's JSON.

``fetch_run_bundle`` gathers what the report needs over the admin API; ``build_report`` writes
``report.md`` and the plots into a directory. Nothing here talks to a database.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fdd.clients.orchestrator import OrchestratorClient
from fdd.report import plots
from fdd.report.tables import (
    TIME_COLUMNS,
    markdown_table,
    pass_rate_rows,
    round_markdown,
    round_view,
    time_rows,
)


def fetch_run_bundle(client: OrchestratorClient, run_id: int) -> dict[str, Any]:
    """The run read, its rejections, and every generated problem's leakage score by round."""
    run = client.run(run_id)
    rejections: list[dict[str, Any]] = []
    leak: dict[int, list[float]] = {}
    for rnd in run.get("rounds") or []:
        for rejection in client.iter_pages(f"/v1/runs/{run_id}/rejections", round=rnd["index"]):
            rejections.append({**rejection, "round": rnd["index"]})
    for origin in ("complex", "similar"):
        for problem in client.iter_pages(f"/v1/runs/{run_id}/problems", origin=origin):
            if problem.get("leak_score") is not None:
                leak.setdefault(int(problem["round_created"]), []).append(float(problem["leak_score"]))
    for rejection in rejections:
        if rejection.get("leak_score") is not None and rejection.get("round") is not None:
            leak.setdefault(int(rejection["round"]), []).append(float(rejection["leak_score"]))
    return {"run": run, "rejections": rejections, "leak_scores": leak}


def rejection_counts(rejections: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for rejection in rejections:
        counts[rejection["reason"]] = counts.get(rejection["reason"], 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def _config_summary(config: dict[str, Any], rounds: list[dict[str, Any]]) -> str:
    seed = config.get("seed", {})
    teacher = config.get("teacher", {})
    student = config.get("student", {})
    return (
        f"- seed: `{json.dumps(seed)}`; rounds: {config.get('rounds')}; "
        f"feedback: `{config.get('feedback')}`; classify pool: `{config.get('classify_pool')}`\n"
        f"- teacher: k={teacher.get('k')}, k_variants={teacher.get('k_variants')}, "
        f"min_agree={teacher.get('min_agree')}, n_complex={teacher.get('n_complex')}, "
        f"n_similar={teacher.get('n_similar')}\n"
        f"- student: base `{student.get('base_model')}`, "
        f"{_schedule(student)}, init `{student.get('init', 'base')}`, lr {_knob(student, rounds, 'lr')}, "
        f"batch {_knob(student, rounds, 'batch_size')}, seed {student.get('seed')}"
    )


def _knob(student: dict[str, Any], rounds: list[dict[str, Any]], name: str) -> str:
    """A student knob as configured; one left to the base (None) as the first trained round's student
    decided it, else "base default"."""
    if student.get(name) is not None:
        return str(student[name])
    for rnd in rounds:
        value = (((rnd.get("metrics") or {}).get("train") or {}).get("metrics") or {}).get(name)
        if value is not None:
            return f"{value} (base default)"
    return "base default"


def _schedule(student: dict[str, Any]) -> str:
    """How much each round trains, in words (configs before ``schedule`` existed had a budget)."""
    schedule = student.get("schedule", "budget")
    if schedule == "budget":
        budget = student.get("budget_examples", student.get("train_budget_examples"))
        return f"budget {budget} example passes/round"
    if schedule == "converge":
        return f"until converged (patience {student.get('patience')}, at most {student.get('epochs')} epochs)"
    return f"{student.get('epochs')} epochs/round"


def round_warnings(run: dict[str, Any]) -> list[tuple[int, str]]:
    """(round index, warning) of every round whose metrics flag its training as too short."""
    return [
        (rnd["index"], warning)
        for rnd in run.get("rounds") or []
        for warning in (rnd.get("metrics") or {}).get("warnings") or []
    ]


def _pass_rates(run: dict[str, Any]) -> list[str]:
    header, rows = pass_rate_rows(run)
    if not rows:
        return ["None recorded."]
    easy = ((run.get("config") or {}).get("evaluation") or {}).get("easy_pass_rate", 0.5)
    return [
        f"Problems of the classified pool by the share of the student's samples that were correct (bins of "
        f"0.1, named by their start); a problem is easy from a pass rate of {easy}.",
        "",
        markdown_table(header, rows),
    ]


def build_report(bundle: dict[str, Any], out_dir: Path) -> Path:
    """Write ``report.md`` and its plots into ``out_dir``; return the Markdown file's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    run = bundle["run"]
    rounds = [round_view(r) for r in run.get("rounds") or [] if r.get("metrics")]
    figures = [
        ("Accuracy per round", plots.accuracy_plot(run, out_dir / "accuracy.png")),
        (
            "Distillation set by origin",
            plots.stacked_bars(
                rounds,
                "set_by_origin",
                plots.ORIGIN_COLOURS,
                "Problem pool at the end of each round, by origin",
                "problems",
                out_dir / "set_growth.png",
            ),
        ),
        (
            "Easy / hard split of the classified pool",
            plots.stacked_bars(
                [r for r in rounds if r["labels"]],
                "labels",
                plots.LABEL_COLOURS,
                "Student's easy / hard split",
                "problems",
                out_dir / "easy_hard.png",
            ),
        ),
    ]
    leak = plots.leakage_plot(bundle.get("leak_scores") or {}, out_dir / "leakage.png")
    if leak:
        figures.append(("Data leakage", leak))
    lines = [
        f"# fdd report — run {run['id']} `{run['name']}`",
        "",
        f"Status **{run['status']}**; teacher cost ${run.get('teacher_cost_usd', 0):.4f}.",
        "",
        _config_summary(run.get("config") or {}, run.get("rounds") or []),
        "",
        "## Rounds",
        "",
        round_markdown(run),
        "",
        "## Warnings",
        "",
        *(f"- round {index}: {warning}" for index, warning in round_warnings(run)),
        *([] if round_warnings(run) else ["None."]),
        "",
        "## Where the time went",
        "",
        markdown_table(TIME_COLUMNS, time_rows(run)),
        "",
        "Wall time by stage, the student's own compute inside its jobs, and the round's overhead: its wall "
        "time less that compute (teacher, sandbox, database, hand-offs). Where a feedback round evaluates "
        "beside the teacher (`evaluation.beside_teacher`), its evaluate job runs during GENERATE: EVALUATE's "
        "own time is only the wait for what was left of it, and the evaluation's compute comes off the "
        "overhead as it comes off the round's wall time.",
        "",
        "## Pass rates of the student's samples (CLASSIFY)",
        "",
        *_pass_rates(run),
        "",
        "## Rejected new problems",
        "",
        markdown_table(
            ["reason", "count"], [[k, str(v)] for k, v in rejection_counts(bundle["rejections"]).items()]
        ),
        "",
    ]
    for title, path in figures:
        lines += [f"## {title}", "", f"![{title}]({path.name})", ""]
    (out_dir / "run.json").write_text(json.dumps(bundle, indent=2, default=str))
    report = out_dir / "report.md"
    report.write_text("\n".join(lines))
    return report
