"""EVALUATE: score the round's checkpoint on every configured benchmark, one student job each.

Targets are the configured benchmark names (the student loads ``gsm8k``, ``jsonl:<path>`` …; a
``dataset:<id>`` is sent inline from the orchestrator's database) and the run's synthetic curriculum test
set (``curriculum-test``, sent inline). Each finished job is stored as an evaluation (accuracy, n,
accuracy by group, population hash, checkpoint, job id); a benchmark already evaluated in this round is
skipped, so the step resumes where it stopped.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from fdd.wire.student import Decoding, EvaluateParams, EvaluateResult, PredictProblem
from orchestrator.datasets.models import DatasetProblem
from orchestrator.runs.models import Evaluation, Round
from orchestrator.runs.schemas import RunConfig

from .. import jobs, round_metrics, seeds
from ..context import StageContext, StepResult

CURRICULUM_TEST = "curriculum-test"


def target_names(config: RunConfig) -> list[str]:
    """The names evaluated every round, in a fixed order (the job ``part`` is the index)."""
    names = list(config.evaluation.benchmarks)
    if config.evaluation.curriculum_test is not None:
        names.append(CURRICULUM_TEST)
    return names


def inline_problems(session: Session, config: RunConfig, name: str) -> list[PredictProblem] | None:
    """Problems sent with the job for ``dataset:<id>`` and the curriculum test set; None for named ones."""
    if name == CURRICULUM_TEST:
        assert config.evaluation.curriculum_test is not None
        problems = seeds.curriculum_problems(config.evaluation.curriculum_test, CURRICULUM_TEST)
        return [
            PredictProblem(id=p.id, question=p.question, gold=float(p.answer), meta=p.meta) for p in problems
        ]
    if name.startswith("dataset:"):
        rows = session.scalars(
            sa.select(DatasetProblem)
            .where(DatasetProblem.dataset_id == int(name.split(":", 1)[1]))
            .order_by(DatasetProblem.id)
        ).all()
        return [
            PredictProblem(id=r.external_id, question=r.question, gold=r.answer, meta=r.meta or {})
            for r in rows
        ]
    return None


def round_checkpoint(session: Session, round_id: int) -> str:
    """The round's trained checkpoint (TRAIN records it before EVALUATE runs)."""
    checkpoint = session.scalar(sa.select(Round.checkpoint).where(Round.id == round_id))
    if not checkpoint:
        raise jobs.StageFailed(f"round {round_id} has no checkpoint to evaluate")
    return checkpoint


def evaluated(session: Session, round_id: int) -> set[str]:
    return set(session.scalars(sa.select(Evaluation.benchmark).where(Evaluation.round_id == round_id)))


def store(session: Session, round_id: int, name: str, job_id: str, result: EvaluateResult) -> None:
    """Record one benchmark's result (idempotent per round and benchmark)."""
    if name in evaluated(session, round_id):
        return
    session.add(
        Evaluation(
            round_id=round_id,
            benchmark=name,
            accuracy=result.accuracy,
            n=result.n,
            population_hash=result.population_hash,
            checkpoint=result.checkpoint,
            by_group=result.by_group,
            job_id=job_id,
        )
    )
    round_ = session.get(Round, round_id)
    if round_ is not None:
        round_.metrics = round_metrics.add_compute(round_.metrics or {}, "evaluate", result.seconds)


async def step(ctx: StageContext) -> StepResult:
    """One look at the first benchmark not yet evaluated this round; DONE when all are stored."""
    run = ctx.run
    done = await ctx.db(evaluated, run.round_id)
    for part, name in enumerate(target_names(ctx.config)):
        if name in done:
            continue

        def params(name: str = name) -> EvaluateParams:
            with ctx.maker() as session:
                return EvaluateParams(
                    checkpoint=round_checkpoint(session, run.round_id),
                    benchmark=name,
                    problems=inline_problems(session, ctx.config, name),
                    group_by=ctx.config.evaluation.group_by,
                    decoding=Decoding(),
                )

        outcome = await jobs.poll_job(ctx, "evaluate", params, part=part)
        if outcome is None:
            return StepResult.MORE
        job_id, result = outcome
        await ctx.db(store, run.round_id, name, job_id, jobs.typed(EvaluateResult, result))
    return StepResult.DONE
