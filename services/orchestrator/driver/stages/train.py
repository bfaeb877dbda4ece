"""TRAIN: fine-tune the student from its base checkpoint on all of the run's distillation set D_r.

D_r is every (question, correct program) pair of the run's training problems: the seed rationales and
the agreeing programs of every accepted variant so far. One student ``train`` job per round (its id
deterministic, recorded before it is sent); unless the run fixes ``epochs``, the job carries
``train_budget_examples`` and the student turns it into epochs over the *distinct* pairs it trains on
(its masking and program normalisation merge paths that differ only in names or constant lines, which
the orchestrator cannot see), so that rounds with more data do not train for more example passes and
merged paths do not shrink the budget. The checkpoint is recorded in the round.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from fdd.wire.student import TrainExample, TrainParams
from orchestrator.enums import ProblemRole
from orchestrator.problems.models import Problem, Rationale
from orchestrator.runs.models import Round
from orchestrator.runs.schemas import RunConfig

from .. import jobs, keys
from ..context import StageContext, StepResult


def distillation_set(session: Session, run_id: int) -> list[TrainExample]:
    """Every correct rationale of the run's training problems, in a stable order."""
    rows = session.execute(
        sa.select(Problem.id, Problem.question, Rationale.id, Rationale.program)
        .join(Rationale, Rationale.problem_id == Problem.id)
        .where(Problem.run_id == run_id, Problem.role == ProblemRole.TRAIN, Rationale.correct.is_(True))
        .order_by(Problem.id, Rationale.id)
    ).all()
    return [TrainExample(id=f"p{pid}-r{rid}", question=q, program=program) for pid, q, rid, program in rows]


def train_params(session: Session, run_id: int, round_index: int, config: RunConfig) -> TrainParams:
    """The student job's parameters for round ``round_index`` (fails clearly on an empty set)."""
    examples = distillation_set(session, run_id)
    if not examples:
        raise jobs.StageFailed("the distillation set is empty: the teacher produced no correct rationale")
    student = config.student
    passes = (
        {"epochs": student.epochs}
        if student.epochs is not None
        else {"budget_examples": student.train_budget_examples}
    )
    return TrainParams(
        examples=examples,
        base_model=student.base_model,
        **passes,
        batch_size=student.batch_size,
        lr=student.lr,
        max_steps=student.max_steps,
        seed=student.seed,
        time_limit_s=student.time_limit_s,
        mask_numbers=student.mask_numbers,
        mask_entities=student.mask_entities,
        normalize_names=student.normalize_names,
        compact_programs=student.compact_programs,
        augment_distractors=student.augment_distractors,
        tiny=dict(student.tiny),
        label=keys.usage_label(run_id, round_index),
    )


def checkpoint_of(result: dict) -> str:
    """The checkpoint name a succeeded train job reports."""
    checkpoint = result.get("checkpoint")
    if not checkpoint:
        raise jobs.StageFailed(f"the train job succeeded without naming a checkpoint: {sorted(result)}")
    return str(checkpoint)


def record_checkpoint(session: Session, round_id: int, checkpoint: str, result: dict) -> None:
    round_ = session.get(Round, round_id)
    assert round_ is not None
    round_.checkpoint = checkpoint
    summary = {k: v for k, v in result.items() if k not in ("checkpoint", "label")}
    round_.metrics = {**(round_.metrics or {}), "train": summary}


async def step(ctx: StageContext) -> StepResult:
    """One look at the round's train job (submitting it first); DONE once the checkpoint is recorded."""
    run = ctx.run

    def params() -> TrainParams:
        with ctx.maker() as session:
            return train_params(session, run.id, run.round_index, ctx.config)

    outcome = await jobs.poll_job(ctx, "train", params)
    if outcome is None:
        return StepResult.MORE
    _, result = outcome
    await ctx.db(record_checkpoint, run.round_id, checkpoint_of(result), result)
    return StepResult.DONE
