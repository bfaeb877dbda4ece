"""The chunked teacher stage: INIT and GENERATE are one loop over their work items with different parts.

A step of a ``TeacherStage``: ``prepare`` (creates the round's work items on the first call), ``finished``
(GENERATE's teacher budget: True ends the stage early), then up to ``teacher_chunk × chunks_per_step``
``pending`` items (read with what the teacher needs of them) become the stage's ``requests``, sent in
groups of ``teacher_concurrency`` (all of a group in flight at once). Each answered group is recorded in one
commit — the stage's ``record`` (new rows, work items closed), their teacher cost added to the run and the
stage's work counts put in the round's progress — while the teacher already answers the next group (the
teacher idled through every record before: 14–31 % of a demo's GENERATE). A failed request ends the step
once its group is recorded, and its error is raised: what succeeded is never asked for again, and no group
is sent after a failure. ``look_up`` is read-only work done in its own transaction before the record
(GENERATE: benchmark look-alikes of the new texts). The stage is DONE when no item is pending.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy.orm import Session

from fdd.wire.teacher import RationaleResponse, VariantResponse
from orchestrator.runs.schemas import RunConfig
from orchestrator.runs.state import Stage

from . import rounds, work_items
from .chunks import first_error, gather_bounded, split
from .context import RunSnapshot, StageContext, StepResult

if TYPE_CHECKING:
    from fdd.clients.teacher import TeacherClient

ItemT = TypeVar("ItemT")
RequestT = TypeVar("RequestT")
ResponseT = TypeVar("ResponseT", RationaleResponse, VariantResponse)
Answered = list[tuple[RequestT, ResponseT]]


@dataclass(frozen=True)
class TeacherStage(Generic[ItemT, RequestT, ResponseT]):
    """The parts of a chunked teacher stage (see the module's docstring for when each is called)."""

    stage: Stage
    prepare: Callable[[Session, RunSnapshot], object]
    pending: Callable[[Session, RunSnapshot, int], list[ItemT]]
    requests: Callable[[StageContext, list[ItemT]], list[RequestT]]
    send: Callable[[TeacherClient], Callable[[RequestT], Awaitable[ResponseT]]]
    record: Callable[[Session, RunSnapshot, Answered, Any], None]
    finished: Callable[[Session, RunSnapshot], bool] | None = None
    look_up: Callable[[Session, RunConfig, Answered], Any] | None = None


def _record(session: Session, spec: TeacherStage, run: RunSnapshot, answered: Answered, found: Any) -> None:
    spec.record(session, run, answered, found)
    rounds.add_teacher_cost(session, run.id, sum(response.usage.cost_usd for _, response in answered))
    work_items.record_progress(session, run.round_id, spec.stage)


async def step(ctx: StageContext, spec: TeacherStage) -> StepResult:
    """One step of the stage: a batch of chunks sent and recorded; DONE when nothing is pending."""
    run, opts = ctx.run, ctx.options
    await ctx.db(spec.prepare, run)
    if spec.finished is not None and await ctx.db(spec.finished, run):
        return StepResult.DONE
    items = await ctx.db(spec.pending, run, opts.teacher_chunk * opts.chunks_per_step)
    if not items:
        await ctx.db(work_items.record_progress, run.round_id, spec.stage)
        return StepResult.DONE
    send, width = spec.send(ctx.teacher), opts.teacher_concurrency
    groups = split(spec.requests(ctx, items), width)
    flight = asyncio.ensure_future(gather_bounded(send, groups[0], width))
    error: BaseException | None = None
    try:
        for index, group in enumerate(groups):
            outcomes = await flight
            error = first_error(outcomes)
            if error is None and index + 1 < len(groups):  # the teacher answers it while this is recorded
                flight = asyncio.ensure_future(gather_bounded(send, groups[index + 1], width))
            answered = [
                (request, outcome)
                for request, outcome in zip(group, outcomes, strict=True)
                if not isinstance(outcome, BaseException)
            ]
            found = await ctx.db(spec.look_up, ctx.config, answered) if spec.look_up is not None else None
            await ctx.db(_record, spec, run, answered, found)
            if error is not None:
                break
    finally:
        if not flight.done():  # recording failed (or the step was cancelled) with a group in flight
            flight.cancel()
            await asyncio.gather(flight, return_exceptions=True)
    if error is not None:
        raise error
    return StepResult.MORE
