"""Command definitions. Each command parses its options, calls one client or library function, prints."""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.table import Table

from fdd.cli.settings import CliSettings
from fdd.cli.stack import LocalStack, StackConfig
from fdd.cli.watch import watch_run
from fdd.clients.orchestrator import OrchestratorClient, OrchestratorError
from fdd.config import core_settings

app = typer.Typer(
    help="Feedback-Driven Distillation: distil a teacher's math reasoning into a small student.",
    no_args_is_help=True,
)
run_app = typer.Typer(help="Create, inspect and steer distillation runs.", no_args_is_help=True)
data_app = typer.Typer(help="Import datasets into the orchestrator.", no_args_is_help=True)
app.add_typer(run_app, name="run")
app.add_typer(data_app, name="data")
console = Console()

RunId = Annotated[int, typer.Argument(help="Run id.")]


def client() -> OrchestratorClient:
    settings = CliSettings()
    return OrchestratorClient(settings.url, settings.token.get_secret_value())


def fail(message: str) -> None:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(1)


def load_config(path: Path) -> dict[str, Any]:
    text = path.read_text()
    data = yaml.safe_load(text) if path.suffix in (".yaml", ".yml") else json.loads(text)
    if not isinstance(data, dict):
        fail(f"{path}: the run config must be a mapping")
    return data


@app.command()
def up(
    state_dir: Annotated[Path, typer.Option(help="Where the local stack keeps its state.")] = Path(
        "var/stack"
    ),
    workers: Annotated[int, typer.Option(min=1, help="Student worker processes.")] = 2,
    threads: Annotated[int, typer.Option(min=1, help="torch threads per worker.")] = 1,
    port: Annotated[int, typer.Option(help="Orchestrator port (teacher +1, student +2).")] = 8000,
) -> None:
    """Start teacher, student API, student workers and orchestrator locally; stop them on Ctrl-C."""
    config = StackConfig(
        state_dir=state_dir,
        workers=workers,
        worker_threads=threads,
        orchestrator_port=port,
        teacher_port=port + 1,
        student_port=port + 2,
        data_dir=core_settings().data_dir,
    )
    with LocalStack(config):
        console.print(
            f"orchestrator {config.orchestrator_url}  teacher {config.teacher_url}  "
            f"student {config.student_url}  (logs in {state_dir / 'logs'}) — Ctrl-C stops"
        )
        try:
            signal.pause() if hasattr(signal, "pause") else time.sleep(10**9)
        except KeyboardInterrupt:
            console.print("stopping…")


@run_app.command("create")
def run_create(
    config: Annotated[Path, typer.Argument(exists=True, help="Run config (JSON or YAML).")],
    watch: Annotated[bool, typer.Option(help="Watch its progress afterwards.")] = False,
) -> None:
    """Create a run from a config file; the orchestrator starts it in the background."""
    with client() as c:
        try:
            run = c.create_run(load_config(config))
        except OrchestratorError as exc:
            fail(exc.message)
        console.print(f"created run [bold]{run['id']}[/bold] ({run['name']})")
        if watch:
            watch_run(c, run["id"], console)


@run_app.command("list")
def run_list() -> None:
    """List runs."""
    with client() as c:
        runs = c.runs()
    items = runs.get("items", runs) if isinstance(runs, dict) else runs
    table = Table("id", "name", "status", "stage", "round", "cost $")
    for r in items:
        table.add_row(
            str(r["id"]),
            r["name"],
            r["status"],
            r["stage"],
            str(r["current_round"]),
            f"{r.get('teacher_cost_usd', 0):.4f}",
        )
    console.print(table)


@run_app.command("status")
def run_status(run_id: RunId) -> None:
    """Show a run: status, stage, per-round metrics."""
    with client() as c:
        try:
            run = c.run(run_id)
        except OrchestratorError as exc:
            fail(exc.message)
    from fdd.report.tables import round_table

    console.print(
        f"run {run['id']} [bold]{run['name']}[/bold]: {run['status']} at {run['stage']} "
        f"(round {run['current_round']})"
    )
    if run.get("error"):
        console.print(f"[red]{run['error']}[/red]")
    console.print(round_table(run))


@run_app.command("watch")
def run_watch(run_id: RunId) -> None:
    """Live progress bars until the run finishes."""
    with client() as c:
        run = watch_run(c, run_id, console)
    console.print(f"run {run_id}: {run['status']}")


def _action(run_id: int, verb: str) -> None:
    with client() as c:
        try:
            run = c.action(run_id, verb)
        except OrchestratorError as exc:
            fail(exc.message)
    console.print(f"run {run_id}: {run['status']}")


@run_app.command("pause")
def run_pause(run_id: RunId) -> None:
    """Pause a run after its current step."""
    _action(run_id, "pause")


@run_app.command("resume")
def run_resume(run_id: RunId) -> None:
    """Resume a paused run."""
    _action(run_id, "resume")


@run_app.command("cancel")
def run_cancel(run_id: RunId) -> None:
    """Cancel a run (its running student job too)."""
    _action(run_id, "cancel")


@run_app.command("export")
def run_export(
    run_id: RunId,
    round_index: Annotated[
        int | None, typer.Option("--round", help="Only problems up to this round.")
    ] = None,
    output: Annotated[Path | None, typer.Option("-o", help="File to write (default: stdout).")] = None,
) -> None:
    """Export the distillation set as JSONL (one row per problem and rationale, with lineage)."""
    with client() as c:
        out = output.open("w") if output else sys.stdout
        try:
            for line in c.export_lines(run_id, round_index):
                out.write(line + "\n")
        except OrchestratorError as exc:
            fail(exc.message)
        finally:
            if output:
                out.close()


@run_app.command("report")
def run_report(
    run_id: RunId,
    output: Annotated[Path, typer.Option("-o", help="Directory for report.md and the plots.")] = Path(
        "reports"
    ),
) -> None:
    """Write the run's report: Markdown with tables and PNG plots."""
    from fdd.report import build_report, fetch_run_bundle

    with client() as c:
        bundle = fetch_run_bundle(c, run_id)
    path = build_report(bundle, output / f"run-{run_id}")
    console.print(f"report written to {path}")


@data_app.command("import")
def data_import(
    name: Annotated[str, typer.Argument(help="Name of the new dataset.")],
    benchmark: Annotated[
        str | None, typer.Option(help="A benchmark: gsm8k, svamp, asdiv, multiarith.")
    ] = None,
    split: Annotated[str | None, typer.Option(help="Split of the benchmark (gsm8k: train|test).")] = None,
    jsonl: Annotated[
        Path | None, typer.Option(exists=True, help="A JSONL file in fdd's problem schema.")
    ] = None,
    curriculum: Annotated[int | None, typer.Option(help="Generate this many synthetic problems.")] = None,
    steps: Annotated[str, typer.Option(help="Step counts for --curriculum, e.g. 1,2,3.")] = "1,2,3",
    seed: Annotated[int, typer.Option(help="Seed for --curriculum.")] = 0,
) -> None:
    """Import a benchmark, a JSONL file, or a generated curriculum set as a dataset."""
    if sum(x is not None for x in (benchmark, jsonl, curriculum)) != 1:
        fail("give exactly one of --benchmark, --jsonl, --curriculum")
    body: dict[str, Any] = {"name": name}
    if benchmark:
        body.update(source="benchmark", benchmark=benchmark, split=split)
    elif jsonl:
        rows = [json.loads(line) for line in jsonl.read_text().splitlines() if line.strip()]
        body.update(source="jsonl", problems=rows)
    else:
        spec = {"n": curriculum, "steps": [int(s) for s in steps.split(",")], "seed": seed}
        body.update(source="curriculum", curriculum=spec)
    with client() as c:
        try:
            dataset = c.create_dataset({k: v for k, v in body.items() if v is not None})
        except OrchestratorError as exc:
            fail(exc.message)
    console.print(f"dataset {dataset['id']} {dataset['name']}: {dataset['n_problems']} problems")


@app.command("eval")
def evaluate(
    checkpoint: Annotated[
        str, typer.Argument(help="Student checkpoint name (see the student's /v1/checkpoints).")
    ],
    benchmark: Annotated[
        str, typer.Option(help="gsm8k, svamp, asdiv, multiarith or jsonl:<path>.")
    ] = "gsm8k",
    limit: Annotated[int | None, typer.Option(help="Only the first N problems.")] = None,
) -> None:
    """Evaluate a student checkpoint on a benchmark through the student API."""
    from fdd.cli.evaluate import run_evaluation

    result = run_evaluation(CliSettings().student_url, checkpoint, benchmark, limit, console)
    console.print_json(data=result)


@app.command()
def demo(
    state_dir: Annotated[Path, typer.Option(help="State of the demo's local stack.")] = Path("var/demo"),
    output: Annotated[Path, typer.Option(help="Where the report goes.")] = Path("reports/demo"),
    quick: Annotated[bool, typer.Option(help="A much smaller run (a smoke test of the loop).")] = False,
) -> None:
    """Run a 3-round FDD distillation on the synthetic curriculum with the tiny student, end to end."""
    from fdd.cli.demo import run_demo

    raise typer.Exit(run_demo(state_dir, output, quick, console))


from fdd.cli import experiments as _experiments  # noqa: E402  (registers the `experiment` group)

app.add_typer(_experiments.experiment_app, name="experiment")
