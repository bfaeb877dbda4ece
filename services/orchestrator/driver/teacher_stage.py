"""The chunked teacher stage: INIT and GENERATE are one loop over their work items with different parts.

A step of a ``TeacherStage``: ``prepare`` (creates the round's work items on the first call), ``finished``
(GENERATE's teacher budget: True ends the stage early), then up to ``teacher_chunk × chunks_per_step``
``pending`` items (read with what the teacher needs of them) become the stage's ``requests``, sent a few
in flight (``teacher_concurrency``). The
answered requests are recorded in one commit — the stage's ``record`` (new rows, work items closed), their
teacher cost added to the run and the stage's work counts put in the round's progress — before the first
error, if any, is raised: what succeeded is never asked for again. ``look_up`` is read-only work done in
its own transaction before the record (GENERATE: benchmark look-alikes of the new texts). The stage is
DONE when no item is pending.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy.orm import Session

from fdd.wire.teacher import RationaleResponse, VariantResponse
from orchestrator.runs.schemas import RunConfig
from orchestrator.runs.state import Stage

from . import rounds, work_items
from .chunks import first_error, gather_bounded
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
    batch = spec.requests(ctx, items)
    outcomes = await gather_bounded(spec.send(ctx.teacher), batch, opts.teacher_concurrency)
    answered = [
        (request, outcome)
        for request, outcome in zip(batch, outcomes, strict=True)
        if not isinstance(outcome, BaseException)
    ]
    found = await ctx.db(spec.look_up, ctx.config, answered) if spec.look_up is not None else None
    await ctx.db(_record, spec, run, answered, found)
    error = first_error(outcomes)
    if error is not None:
        raise error
    return StepResult.MORE
