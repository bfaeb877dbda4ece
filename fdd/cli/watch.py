"""Live progress of a run: one rich progress bar per (round, stage), fed by polling the orchestrator;
and how a watched run ended (its exit code: 1 when it failed or was cancelled)."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from fdd.clients.orchestrator import OrchestratorClient
from fdd.wire.runs import round_stages

TERMINAL = {"done", "failed", "cancelled"}


def _stage_progress(run: dict[str, Any]) -> dict[tuple[int, str], tuple[int, int]]:
    """(round, stage) → (done, total) from a run read; tolerant of rounds without progress yet."""
    found: dict[tuple[int, str], tuple[int, int]] = {}
    for rnd in run.get("rounds") or []:
        for stage, counts in (rnd.get("progress") or {}).items():
            if isinstance(counts, dict) and "total" in counts:
                done = int(counts.get("done", 0)) + int(counts.get("failed", 0))  # failed items are finished
                found[(int(rnd["index"]), stage)] = (done, int(counts.get("total", 0)))
    return found


def passed(key: tuple[int, str], current: tuple[int, str], order: tuple[str, ...]) -> bool:
    """Whether a run at ``current`` (round, stage) has moved past ``key``'s (round, stage or stage-part), in
    the run's ``order`` of a round's stages (a feedback round's evaluation may be sent ahead, during GENERATE,
    and is not past until the run has left EVALUATE)."""
    (index, name), (now_index, now) = key, current
    stage = name.split("-")[0]
    if now == "done" or index < now_index:
        return True
    if index > now_index or stage not in order or now not in order:
        return False
    return order.index(stage) < order.index(now)


def watch_run(
    client: OrchestratorClient, run_id: int, console: Console, interval: float = 1.0
) -> dict[str, Any]:
    """Show progress bars until the run reaches a terminal status (or is paused); return the last read."""
    columns = (
        TextColumn("[bold]{task.description:<22}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    tasks: dict[tuple[int, str], TaskID] = {}
    with Progress(*columns, console=console, transient=False) as progress:
        while True:
            run = client.run(run_id)
            current = (int(run.get("current_round", 0)), str(run.get("stage")))
            order = round_stages(run.get("config") or {})
            for key, (done, total) in sorted(_stage_progress(run).items()):
                if key not in tasks:
                    label = "init" if key[1] == "init" else f"round {key[0]} {key[1]}"
                    tasks[key] = progress.add_task(label, total=max(total, 1))
                # A stage the run has moved past is finished, whatever its last count said.
                moved_on = passed(key, current, order)
                progress.update(
                    tasks[key], completed=max(total, 1) if moved_on else done, total=max(total, 1)
                )
            if run["status"] in TERMINAL or run["status"] == "paused":
                return run
            time.sleep(interval)


def finish(run: dict[str, Any], console: Console) -> int:
    """Print how a watched run ended (the failing stage and reason for a failed one); its exit code."""
    status = run["status"]
    if status == "failed":
        where = f"{run.get('stage')} (round {run.get('current_round')})"
        reason = run.get("error") or f"{where}: no reason recorded (see the orchestrator's log)"
        if not reason.startswith(str(run.get("stage"))):
            reason = f"{where}: {reason}"
        console.print(
            f"run {run['id']}: [red]failed[/red] at {escape(reason)}", soft_wrap=True, highlight=False
        )
        return 1
    console.print(f"run {run['id']}: {status}")
    return 1 if status == "cancelled" else 0
