"""Command definitions. Each command parses its options, calls one client or library function, prints.

Failures are raised (``CliError`` or a client's error) and turned into one line by ``fdd.cli.errors``.
"""

from __future__ import annotations

import itertools
import json
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.table import Table

from fdd.cli import errors
from fdd.cli.errors import fail
from fdd.cli.evaluate import checkpoints_app, evaluate
from fdd.cli.models import models_app
from fdd.cli.settings import DEV_TOKEN, CliSettings
from fdd.cli.stack import LocalStack, StackConfig, taken_ports
from fdd.cli.watch import finish, watch_run
from fdd.clients.orchestrator import OrchestratorClient
from fdd.config import core_settings

app = typer.Typer(
    help="Feedback-Driven Distillation: distil a teacher's math reasoning into a small student.",
    no_args_is_help=True,
)
run_app = typer.Typer(help="Create, inspect and steer distillation runs.", no_args_is_help=True)
data_app = typer.Typer(help="Import and list datasets in the orchestrator.", no_args_is_help=True)
app.add_typer(run_app, name="run")
app.add_typer(data_app, name="data")
app.add_typer(checkpoints_app, name="checkpoints")
app.add_typer(models_app, name="models")
app.command("eval")(evaluate)
console = Console()

RunId = Annotated[int, typer.Argument(help="Run id.")]


def client() -> OrchestratorClient:
    settings = CliSettings()
    return OrchestratorClient(settings.url, settings.token.get_secret_value())


def _print_version(value: bool) -> None:
    if value:
        try:
            console.print(f"fdd {version('fdd')}")
        except PackageNotFoundError:
            console.print("fdd (not installed)")
        raise typer.Exit()


@app.callback()
def root(
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an error.")] = False,
    show_version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Feedback-Driven Distillation: distil a teacher's math reasoning into a small student."""
    errors.state["debug"] = debug or CliSettings().debug


def load_config(path: Path) -> dict[str, Any]:
    """A run config from a YAML or JSON file; a person-readable error for a missing or broken file."""
    if not path.is_file():
        fail(f"{path}: no such file")
    text = path.read_text()
    try:
        data = yaml.safe_load(text) if path.suffix in (".yaml", ".yml") else json.loads(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        fail(f"{path}: not valid YAML{where}: {problem}")
    except json.JSONDecodeError as exc:
        fail(f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")
    if not isinstance(data, dict):
        fail(f"{path}: the run config must be a mapping (name: …, rounds: …)")
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
        admin_token=DEV_TOKEN,
    )
    taken = taken_ports(config)
    if taken:
        names = ", ".join(f"{p} ({name})" for name, p in taken)
        fail(f"port {names} already in use (another `fdd up`?): stop it or pass --port")
    with LocalStack(config) as stack:
        console.print(
            f"orchestrator {config.orchestrator_url}  teacher {config.teacher_url}  "
            f"student {config.student_url}\nadmin token: {config.admin_token} (the CLI's default "
            f"FDD_CLI_TOKEN)  data: {config.data_dir}  logs: {state_dir / 'logs'} — Ctrl-C stops\n"
            f"service token: in {stack.token_file} (fdd eval reads it from there for the default "
            f"--state-dir; elsewhere: export FDD_SERVICE_TOKEN=$(cat {stack.token_file}))"
        )
        try:
            exited = stack.wait()
        except KeyboardInterrupt:
            console.print("stopping…")
            return
    raise exited


@run_app.command("create")
def run_create(
    config: Annotated[Path, typer.Argument(help="Run config (JSON or YAML).")],
    watch: Annotated[bool, typer.Option(help="Watch its progress afterwards.")] = False,
) -> None:
    """Create a run from a config file; the orchestrator starts it in the background."""
    body = load_config(config)
    with client() as c:
        run = c.create_run(body)
        console.print(f"created run [bold]{run['id']}[/bold] ({run['name']})")
        if watch:
            raise typer.Exit(finish(watch_run(c, run["id"], console), console))


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
        run = c.run(run_id)
    from fdd.report import round_warnings
    from fdd.report.tables import round_table

    console.print(
        f"run {run['id']} [bold]{run['name']}[/bold]: {run['status']} at {run['stage']} "
        f"(round {run['current_round']})"
    )
    if run.get("error"):
        console.print(f"[red]{run['error']}[/red]")
    console.print(round_table(run))
    for index, warning in round_warnings(run):
        console.print(f"warning, round {index}: {warning}", style="yellow", markup=False, highlight=False)


@run_app.command("watch")
def run_watch(run_id: RunId) -> None:
    """Live progress bars until the run finishes; exit code 1 when it failed or was cancelled."""
    with client() as c:
        run = watch_run(c, run_id, console)
    raise typer.Exit(finish(run, console))


def _action(run_id: int, verb: str) -> None:
    with client() as c:
        run = c.action(run_id, verb)
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
    """Export the distillation set as JSONL (one row per problem and rationale, with lineage); with -o,
    also its data card (config, counts by origin and label, leakage, teacher usage) as NAME.card.json."""
    from fdd.report.card import ExportTally, write_card

    tally = ExportTally()
    with client() as c:
        lines = c.export_lines(run_id, round_index)
        first = next(lines, None)  # a refused export fails here, before the output file is created
        out = output.open("w") if output else sys.stdout
        try:
            for line in itertools.chain([first] if first is not None else [], lines):
                out.write(line + "\n")
                if output:
                    tally.add(line)
        finally:
            if output:
                out.close()
        if output:
            card = write_card(c.run(run_id), tally, round_index, output)
            console.print(f"{tally.rows} rows written to {output}; data card: {card}")


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
    jsonl: Annotated[Path | None, typer.Option(help="A JSONL file in fdd's problem schema.")] = None,
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
        body.update(source="jsonl", problems=_jsonl_rows(jsonl))
    else:
        try:
            step_counts = [int(s) for s in steps.split(",")]
        except ValueError:
            fail(f"--steps: {steps!r} is not a comma-separated list of step counts such as 1,2,3")
        spec = {"n": curriculum, "steps": step_counts, "seed": seed}
        body.update(source="curriculum", curriculum=spec)
    with client() as c:
        dataset = c.create_dataset({k: v for k, v in body.items() if v is not None})
    console.print(f"dataset {dataset['id']} {dataset['name']}: {dataset['n_problems']} problems")


def _jsonl_rows(path: Path) -> list[Any]:
    if not path.is_file():
        fail(f"{path}: no such file")
    rows = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                fail(f"{path}: line {number} is not valid JSON: {exc.msg}")
    return rows


@data_app.command("list")
def data_list() -> None:
    """List the datasets (their ids are what a run's `seed: {dataset_id: …}` names)."""
    with client() as c:
        found = c.datasets()
    items = found.get("items", found) if isinstance(found, dict) else found
    table = Table("id", "name", "source", "problems")
    for d in items:
        table.add_row(str(d["id"]), d["name"], str(d.get("source", "")), str(d.get("n_problems", "")))
    console.print(table)


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
