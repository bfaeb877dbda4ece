"""The driver loop: claim runs with a lease, advance each one stage step at a time, renew, release.

One ``Driver`` runs as an asyncio task in each orchestrator replica. Every ``interval_s`` it cancels
student jobs of runs that were cancelled or failed, then claims free active runs (up to ``max_runs``)
and drives each in its own task: read the run (a paused or cancelled run is let go, a cancelled one's
student job is cancelled), call the current stage's step, and when the stage is complete move the stage
pointer (``runs.state.advance_stage``), closing the round with its metrics when the round ends. A step
that raises is retried with exponential backoff; after ``max_attempts`` failures the run is failed with
the reason. A heartbeat renews the lease while a step works and stops the step if the lease was lost.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from orchestrator.runs.models import Round, Run
from orchestrator.runs.state import (
    RoundStatus,
    RunStatus,
    Stage,
    advance_stage,
    next_stage,
    transition,
    transition_round,
)
from orchestrator.timestamps import utcnow

from . import jobs, leases, round_metrics
from .context import DriverOptions, RunSnapshot, StageContext, StepResult, in_transaction
from .stages import STEPS

if TYPE_CHECKING:
    from fdd.clients.student import StudentClient
    from fdd.clients.teacher import TeacherClient

log = logging.getLogger("orchestrator.driver")


def default_owner() -> str:
    """A lease owner name unique to this process: host, pid and a random suffix."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class Driver:
    """Advances the runs this replica holds a lease on; ``run()`` until ``stop()``."""

    def __init__(
        self,
        maker: sessionmaker[Session],
        teacher: TeacherClient,
        student: StudentClient,
        options: DriverOptions | None = None,
        owner: str | None = None,
    ) -> None:
        self.maker = maker
        self.teacher = teacher
        self.student = student
        self.options = options or DriverOptions()
        self.owner = owner or default_owner()
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        """Tick every ``interval_s`` until ``stop()``; errors of one tick are logged, never fatal."""
        while not self._stopping.is_set():
            try:
                await self.tick()
            except Exception:
                log.exception("driver tick failed")
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=self.options.interval_s)
            except TimeoutError:
                pass

    async def stop(self) -> None:
        """Stop claiming, cancel the run tasks (their leases are released) and wait for them."""
        self._stopping.set()
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def tick(self) -> list[int]:
        """One poll: cancel orphaned student jobs, claim free runs and start driving them."""
        await jobs.cancel_jobs_of_stopped_runs(self.maker, self.student)
        free = self.options.max_runs - len(self._tasks)
        if free <= 0:
            return []
        claimed = await in_transaction(
            self.maker, leases.claim_runs, self.owner, self.options.lease_ttl_s, free, set(self._tasks)
        )
        for run_id in claimed:
            task = asyncio.create_task(self._drive(run_id), name=f"drive-run-{run_id}")
            self._tasks[run_id] = task
            task.add_done_callback(lambda _t, rid=run_id: self._tasks.pop(rid, None))
        return claimed

    async def drive_until_idle(self, run_id: int) -> None:
        """Drive one run in the current task until it stops being drivable (used by tests)."""
        claimed = await in_transaction(
            self.maker, leases.claim_runs, self.owner, self.options.lease_ttl_s, 1, set()
        )
        if run_id in claimed:
            await self._drive(run_id)

    async def _drive(self, run_id: int) -> None:
        heartbeat = asyncio.create_task(self._heartbeat(run_id, asyncio.current_task()))
        failures = 0
        try:
            while not self._stopping.is_set():
                snapshot = await in_transaction(self.maker, leases.load_snapshot, run_id, self.owner)
                if snapshot is None or snapshot.status is not RunStatus.RUNNING:
                    # Paused, cancelled or taken over; a cancel also clears the lease, hence the sweep.
                    await jobs.cancel_jobs_of_stopped_runs(self.maker, self.student)
                    return
                try:
                    await self._step(snapshot)
                    failures = 0
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # a stage error: retry with backoff, then fail the run
                    failures += 1
                    if not await self._after_failure(snapshot, exc, failures):
                        return
        finally:
            heartbeat.cancel()
            await asyncio.shield(in_transaction(self.maker, leases.release_lease, run_id, self.owner))

    async def _step(self, snapshot: RunSnapshot) -> None:
        ctx = StageContext(snapshot, self.maker, self.teacher, self.student, self.options)
        result = await STEPS[snapshot.stage](ctx)
        if result is StepResult.DONE:
            await self._advance(ctx)

    async def _advance(self, ctx: StageContext) -> None:
        """Move the stage pointer; when the round ends, write its metrics and close it first."""
        run = ctx.run
        stop = run.stage is Stage.EVALUATE and await ctx.db(round_metrics.stop_criterion_met, run.id)
        pointer = next_stage(run.stage, run.round_index, run.config.rounds, stop=stop, beside=ctx.beside)
        metrics = None
        if pointer.stage is Stage.DONE or pointer.round != run.round_index:
            metrics = await round_metrics.collect(ctx)
        await ctx.db(_commit_advance, run.id, run.round_id, stop, metrics)
        log.info("run advanced", extra={"run": run.id, "stage": pointer.stage.value, "round": pointer.round})

    async def _after_failure(self, snapshot: RunSnapshot, exc: Exception, failures: int) -> bool:
        """Log the failure; back off and return True to retry, or fail the run and return False."""
        reason = f"{snapshot.stage.value} (round {snapshot.round_index}): {type(exc).__name__}: {exc}"
        log.warning("stage step failed", extra={"run": snapshot.id, "attempt": failures, "error": reason})
        if failures >= self.options.max_attempts:
            await in_transaction(self.maker, _fail_run, snapshot.id, snapshot.round_id, reason)
            await jobs.cancel_jobs_of_stopped_runs(self.maker, self.student)
            return False
        await asyncio.sleep(self.options.backoff_s * 2 ** (failures - 1))
        return True

    async def _heartbeat(self, run_id: int, task: asyncio.Task[None] | None) -> None:
        period = self.options.lease_ttl_s / 3
        while True:
            await asyncio.sleep(period)
            held = await in_transaction(
                self.maker, leases.renew_lease, run_id, self.owner, self.options.lease_ttl_s
            )
            if not held and task is not None:
                log.warning("lease lost; stopping the run's step", extra={"run": run_id})
                task.cancel()
                return


def _commit_advance(session: Session, run_id: int, round_id: int, stop: bool, metrics: dict | None) -> None:
    run = session.get(Run, run_id, with_for_update=True)
    if run is None or run.status is not RunStatus.RUNNING:
        return  # paused or cancelled meanwhile: the stage is done and idempotent, it is advanced on resume
    round_ = session.get(Round, round_id) if round_id else None
    if metrics is not None and round_ is not None and round_.status is RoundStatus.RUNNING:
        round_.metrics = metrics
        transition_round(round_, RoundStatus.DONE)
    if round_ is not None:
        started = round_.started_at or run.started_at
        round_.metrics = round_metrics.with_stage_time(
            round_.metrics or {}, run.stage.value, utcnow(), started
        )
    advance_stage(run, stop=stop)


def _fail_run(session: Session, run_id: int, round_id: int, reason: str) -> None:
    run = session.get(Run, run_id, with_for_update=True)
    if run is None or run.status is not RunStatus.RUNNING:
        return
    transition(run, RunStatus.FAILED, error=reason[:4000])
    round_ = session.get(Round, round_id) if round_id else None
    if round_ is not None and round_.status is RoundStatus.RUNNING:
        transition_round(round_, RoundStatus.FAILED)
