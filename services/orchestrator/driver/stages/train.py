"""TRAIN: fine-tune the student on all of the run's distillation set D_r.

D_r is ``problems.repository.distillation_set``: every correct rationale of the run's training problems
(the seed rationales and the agreeing programs of every accepted variant so far). One student ``train``
job per round (its id deterministic, recorded before it is sent) carrying the round's training knobs as
they are (``RunConfig.student_for``: the run's ``student`` knobs, less the job queue, with that round's
``student_by_round`` overrides): how much a round trains (``schedule``) is decided by the student, which
sees the distinct pairs after masking. With
``init: previous`` a round after the first starts from the previous round's checkpoint instead of the
base. The checkpoint and the job's typed result are recorded in the round.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from fdd.wire.student import TrainExample, TrainingKnobs, TrainParams, TrainResult
from orchestrator.problems import repository as problems_repo
from orchestrator.runs.schemas import RunConfig

from .. import jobs, keys, rounds
from ..context import StageContext, StageFailed, StepResult


def distillation_set(session: Session, run_id: int) -> list[TrainExample]:
    """D_r as the student's training examples, in a stable order."""
    rows = problems_repo.distillation_set(session, run_id)
    return [TrainExample(id=f"p{pid}-r{rid}", question=q, program=program) for pid, q, rid, program in rows]


def train_params(session: Session, run_id: int, round_index: int, config: RunConfig) -> TrainParams:
    """The student job's parameters for round ``round_index`` (fails clearly on an empty set)."""
    examples = distillation_set(session, run_id)
    if not examples:
        raise StageFailed("the distillation set is empty: the teacher produced no correct rationale")
    knobs: TrainingKnobs = config.student_for(round_index)
    init = rounds.previous_checkpoint(session, run_id, round_index) if knobs.init == "previous" else None
    return TrainParams(
        **knobs.model_dump(),
        examples=examples,
        init_checkpoint=init,
        label=keys.usage_label(run_id, round_index),
    )


def record_checkpoint(session: Session, round_id: int, result: TrainResult) -> None:
    """The round's checkpoint, and the job's result (less the checkpoint) under ``metrics.train``."""
    rounds.set_checkpoint(session, round_id, result.checkpoint)
    summary = result.model_dump(mode="json", exclude={"checkpoint", "label", "kind"})
    rounds.add_compute(session, round_id, "train", result.metrics.seconds, train=summary)


async def step(ctx: StageContext) -> StepResult:
    """One look at the round's train job (submitting it first); DONE once the checkpoint is recorded."""
    run = ctx.run
    return await jobs.job_step(
        ctx,
        "train",
        lambda s: train_params(s, run.id, run.round_index, ctx.config),
        TrainResult,
        lambda s, result: record_checkpoint(s, run.round_id, result),
    )
