"""``fdd eval`` and ``fdd checkpoints list``: student checkpoints through the student API.

An evaluation is an evaluate job on the student (the CLI waits for it and prints its summary as a
table). The student's URL is ``FDD_CLI_STUDENT_URL`` or, when unset, the orchestrator's URL
(``FDD_CLI_URL``) with the port plus two — the layout of ``fdd up`` and of the compose file. The
student API needs the service token (``CliSettings.service_token_value``).
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from fdd.cli.errors import CliError
from fdd.cli.settings import CliSettings
from fdd.clients.student import StudentClient, StudentError
from fdd.wire.student import CheckpointRead, EvaluateParams, JobCreate, JobRead

checkpoints_app = typer.Typer(help="Student checkpoints.", no_args_is_help=True)
console = Console()


def _student(url: str) -> StudentClient:
    token = CliSettings().service_token_value()
    return StudentClient(url, attempts=2, backoff_max_s=1.0, token=token)


def _unreachable(url: str, exc: StudentError) -> CliError:
    if exc.status is None:
        return CliError(
            f"cannot reach the student API at {url}: start the stack with `fdd up` or set FDD_CLI_STUDENT_URL"
        )
    hints = {
        "checkpoint_not_found": " (`fdd checkpoints list` shows them)",
        "missing_token": " (set FDD_SERVICE_TOKEN to the services' token; `fdd up` prints it)",
        "invalid_token": " (set FDD_SERVICE_TOKEN to the services' token; `fdd up` prints it)",
    }
    hint = hints.get(exc.code or "", "")
    return CliError(f"student: {exc.status} {exc.message}{hint}")


def checkpoint_name(checkpoint: str) -> str:
    """A checkpoint name from a name or a path to its directory (the student knows checkpoints by name)."""
    return Path(checkpoint).name if "/" in checkpoint else checkpoint


def run_evaluation(
    url: str, checkpoint: str, benchmark: str, limit: int | None, console: Console
) -> dict[str, Any]:
    """Run an evaluate job and return its summary (without the per-item log)."""

    async def go() -> JobRead:
        async with _student(url) as client:
            job = await client.create_job(
                JobCreate(
                    id=f"eval-{uuid.uuid4().hex[:12]}",
                    params=EvaluateParams(
                        checkpoint=checkpoint_name(checkpoint), benchmark=benchmark, limit=limit
                    ),
                )
            )
            console.print(f"evaluate job {job.id} queued")
            return await client.wait_job(job.id, poll_s=1.0, timeout=24 * 3600)

    try:
        job = asyncio.run(go())
    except StudentError as exc:
        raise _unreachable(url, exc) from exc
    if job.status != "succeeded":
        raise CliError(f"evaluation {job.status}: {job.error}")
    return {k: v for k, v in (job.result or {}).items() if k != "items"}


def result_table(checkpoint: str, benchmark: str, result: dict[str, Any]) -> Table:
    """Accuracy overall and by group (e.g. by step count), with the outcome counts."""
    counts = result.get("counts") or {}
    table = Table(title=f"{checkpoint} on {benchmark}")
    table.add_column(str(result.get("group_by") or "group"))
    for name in ("n", "correct", "accuracy"):
        table.add_column(name, justify="right")
    for group, row in sorted((result.get("by_group") or {}).items()):
        if group != "None":  # problems without the grouping key (a benchmark without step counts)
            table.add_row(group, str(row["n"]), str(row["correct"]), f"{row['accuracy']:.1%}")
    table.add_row("all", str(result["n"]), str(counts.get("correct", "")), f"{result['accuracy']:.1%}")
    others = ", ".join(f"{k} {v}" for k, v in counts.items() if k != "correct")
    table.caption = f"{others}; {result.get('seconds', 0):.0f} s" if others else None
    return table


def evaluate(
    checkpoint: Annotated[
        str, typer.Argument(help="A checkpoint name (see `fdd checkpoints list`) or its directory.")
    ],
    benchmark: Annotated[
        str, typer.Option(help="gsm8k, svamp, asdiv, asdiv-a, multiarith or jsonl:<path>.")
    ] = "gsm8k",
    limit: Annotated[int | None, typer.Option(help="Only the first N problems.")] = None,
) -> None:
    """Evaluate a student checkpoint on a benchmark through the student API."""
    result = run_evaluation(CliSettings().student_base_url(), checkpoint, benchmark, limit, console)
    console.print(result_table(checkpoint_name(checkpoint), benchmark, result))


@checkpoints_app.command("list")
def list_checkpoints() -> None:
    """List the student's checkpoints, newest first."""
    url = CliSettings().student_base_url()

    async def go() -> list[CheckpointRead]:
        async with _student(url) as client:
            return await client.checkpoints()

    try:
        found = asyncio.run(go())
    except StudentError as exc:
        raise _unreachable(url, exc) from exc
    table = Table("name", "created", "base model", "examples")
    for c in found:
        created = c.created_at.strftime("%Y-%m-%d %H:%M") if c.created_at else ""
        table.add_row(c.name, created, str(c.meta.get("base_model", "")), str(c.meta.get("n_examples", "")))
    console.print(table if found else "no checkpoints yet")
