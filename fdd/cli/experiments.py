"""``fdd experiment …``: the paper's experiments, offline, as sets of runs compared in one report.

- ``ablation``: FDD vs the same student trained on the same number of extra problems generated without
  feedback (variants of random seed problems), same teacher budget;
- ``halves``: complex-variants-only vs similar-problems-only vs both (with a held-out classify pool, so the
  hard → similar half carries signal);
- ``rounds``: accuracy after 1…5 rounds (one 5-round run: each round retrains from the base checkpoint, so
  round r's evaluation is what an r-round run would report);
- ``paths``: k = 1, 2, 4 reasoning paths per seed problem;
- ``leakage``: the distribution of generated problems' best n-gram overlap with the benchmark test sets.
Each writes a Markdown table and a plot into the report directory.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from fdd.cli.demo import demo_config
from fdd.cli.settings import CliSettings
from fdd.cli.watch import watch_run
from fdd.clients.orchestrator import OrchestratorClient
from fdd.report import build_report, fetch_run_bundle
from fdd.report.plots import grouped_bars, leakage_plot
from fdd.report.tables import markdown_table, round_view

experiment_app = typer.Typer(
    help="The paper's experiments (several runs, one comparison).", no_args_is_help=True
)
console = Console()
Output = Annotated[Path, typer.Option("-o", help="Report directory.")]
Seed = Annotated[int, typer.Option(help="Seed of the curriculum and the student.")]


def merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def run_all(variants: dict[str, dict[str, Any]], seed: int) -> dict[str, dict[str, Any]]:
    """Run each variant of the demo config to the end, one after the other; return the final run reads."""
    settings = CliSettings()
    base = merge(demo_config(), {"seed": {"curriculum": {"seed": seed}}, "student": {"seed": seed}})
    finished = {}
    with OrchestratorClient(settings.url, settings.token.get_secret_value()) as client:
        for name, overrides in variants.items():
            config = merge(base, {"name": f"exp-{name}-s{seed}", **overrides})
            run = client.create_run(config)
            console.print(f"[bold]{name}[/bold]: run {run['id']}")
            watch_run(client, run["id"], console)
            finished[name] = fetch_run_bundle(client, run["id"])
    return finished


def final_accuracy(bundle: dict[str, Any]) -> dict[str, float]:
    """The last evaluated round's accuracy (%), overall and by step count."""
    views = [round_view(r) for r in bundle["run"].get("rounds") or []]
    views = [v for v in views if v["accuracy"] is not None]
    if not views:
        return {}
    last = views[-1]
    out = {"overall": 100 * last["accuracy"]}
    out.update({f"{k} steps": 100 * v for k, v in last["accuracy_by_group"].items()})
    return out


def write_comparison(title: str, bundles: dict[str, dict[str, Any]], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    table = {name: final_accuracy(b) for name, b in bundles.items()}
    columns = sorted({c for row in table.values() for c in row}, key=lambda c: (c != "overall", c))
    rows = [[name] + [f"{row.get(c, float('nan')):.1f}" for c in columns] for name, row in table.items()]
    for name, bundle in bundles.items():
        build_report(bundle, out / name)
    plot = grouped_bars(table, title, "final held-out accuracy (%)", out / "comparison.png")
    lines = [
        f"# {title}",
        "",
        markdown_table(["variant", *columns], rows),
        "",
        f"![{title}]({plot.name})",
        "",
    ]
    lines += [f"- [{name}]({name}/report.md)" for name in bundles]
    path = out / "report.md"
    path.write_text("\n".join(lines))
    (out / "summary.json").write_text(json.dumps(table, indent=2))
    console.print(f"report written to {path}")
    return path


@experiment_app.command("ablation")
def ablation(output: Output = Path("reports/ablation"), seed: Seed = 0) -> None:
    """FDD vs no-feedback variants of random seed problems, same number of new problems."""
    bundles = run_all({"fdd": {}, "no-feedback": {"feedback": "random"}}, seed)
    write_comparison("FDD vs no-feedback baseline", bundles, output)


@experiment_app.command("halves")
def halves(output: Output = Path("reports/halves"), seed: Seed = 0) -> None:
    """What each half of the feedback buys: complex-only vs similar-only vs both (held-out classify pool)."""
    pool = {"classify_pool": "heldout", "heldout_fraction": 0.2}
    variants = {
        "both": pool,
        "complex-only": {**pool, "feedback": "complex_only"},
        "similar-only": {**pool, "feedback": "similar_only"},
    }
    write_comparison("Complex variants vs similar problems", run_all(variants, seed), output)


@experiment_app.command("rounds")
def rounds(output: Output = Path("reports/rounds"), seed: Seed = 0) -> None:
    """Accuracy after 1…5 rounds (one 5-round run)."""
    bundle = run_all({"rounds-5": {"rounds": 5}}, seed)["rounds-5"]
    path = build_report(bundle, output)
    console.print(f"report written to {path}")


@experiment_app.command("paths")
def paths(output: Output = Path("reports/paths"), seed: Seed = 0) -> None:
    """k = 1, 2, 4 reasoning paths per seed problem."""
    variants = {f"k={k}": {"teacher": {"k": k}} for k in (1, 2, 4)}
    write_comparison("Number of reasoning paths k", run_all(variants, seed), output)


def leakage_by_round(questions_by_round: dict[int, list[str]], threshold: float) -> dict[int, dict[str, Any]]:
    """Per round: the distribution of generated questions' best n-gram overlap with the standard
    benchmark test sets (GSM8K test, SVAMP, ASDiv, MultiArith), as ``fdd.leakage`` reports it."""
    from fdd.datasets import load_benchmark
    from fdd.leakage import LeakageIndex, leakage_report

    index = LeakageIndex.from_benchmarks(
        [load_benchmark(n) for n in ("gsm8k", "svamp", "asdiv", "multiarith")]
    )
    reports = {}
    for index_round, questions in sorted(questions_by_round.items()):
        matches = index.best_matches(questions)
        reports[index_round] = {
            "scores": [m.score for m in matches],
            **leakage_report(matches, threshold=threshold).to_dict(),
        }
    return reports


def _leak_row(index: int, rep: dict[str, Any]) -> list[str]:
    q = rep["quantiles"]
    share = f"{100 * rep['share_above']:.2f} %"
    return [str(index), str(rep["count"]), f"{rep['mean']:.3f}", f"{q['0.5']:.3f}", f"{q['0.99']:.3f}",
            f"{q['1']:.3f}", share]  # fmt: skip


@experiment_app.command("leakage")
def leakage(
    run_id: Annotated[int, typer.Argument(help="A finished run.")],
    output: Output = Path("reports/leakage"),
    threshold: Annotated[float, typer.Option(help="Overlap counted as a look-alike.")] = 0.5,
) -> None:
    """The data-leakage analysis of a run: per round, generated problems' best overlap with the test sets."""
    settings = CliSettings()
    questions: dict[int, list[str]] = {}
    with OrchestratorClient(settings.url, settings.token.get_secret_value()) as client:
        for origin in ("complex", "similar"):
            for problem in client.iter_pages(f"/v1/runs/{run_id}/problems", origin=origin):
                questions.setdefault(int(problem["round_created"]), []).append(problem["question"])
    reports = leakage_by_round(questions, threshold)
    output.mkdir(parents=True, exist_ok=True)
    plot = leakage_plot({r: rep["scores"] for r, rep in reports.items()}, output / "leakage.png")
    header = ["round", "generated", "mean", "p50", "p99", "max", f"share ≥ {threshold:g}"]
    rows = [_leak_row(r, rep) for r, rep in reports.items()]
    lines = [
        f"# Data leakage — run {run_id}",
        "",
        "Best word-3-gram containment of each generated problem in the "
        "GSM8K test, SVAMP, ASDiv and MultiArith questions (fdd.leakage).",
        "",
        markdown_table(header, rows),
        "",
    ]
    if plot:
        lines += [f"![leakage]({plot.name})", ""]
    path = output / "report.md"
    path.write_text("\n".join(lines))
    (output / "leakage.json").write_text(
        json.dumps(
            {r: {k: v for k, v in rep.items() if k != "scores"} for r, rep in reports.items()}, indent=2
        )
    )
    console.print(f"report written to {path}")
