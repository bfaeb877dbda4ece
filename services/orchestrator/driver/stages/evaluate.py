"""EVALUATE: score the round's checkpoint on every configured benchmark, one student job each.

In a run that evaluates beside the teacher (``fdd.wire.runs.evaluates_beside``), a feedback round's first
evaluate job is sent as GENERATE starts (``send``), so that the student evaluates while the teacher writes,
and EVALUATE, the round's last stage, follows it and sends the rest; otherwise EVALUATE sends them all.

Targets are the configured benchmark names (the student loads ``gsm8k``, ``jsonl:<path>`` …; a
``dataset:<id>`` is resolved by the datasets slice and sent inline) and the run's synthetic curriculum test
set (``curriculum-test``, sent inline). Each finished job is stored as an evaluation (accuracy, n,
accuracy by group, population hash, checkpoint, job id); a benchmark already evaluated in this round is
skipped, so the step resumes where it stopped.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from fdd.wire.student import Decoding, EvaluateParams, EvaluateResult, PredictProblem
from orchestrator.datasets import service as datasets
from orchestrator.datasets.sources import curriculum_problems
from orchestrator.runs.schemas import RunConfig
from orchestrator.runs.state import Stage

from .. import jobs, rounds
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
        problems = curriculum_problems(config.evaluation.curriculum_test, CURRICULUM_TEST)
    elif datasets.is_reference(name):
        problems = datasets.resolve_reference(session, name)
    else:
        return None
    return [PredictProblem(id=p.id, question=p.question, gold=float(p.answer), meta=p.meta) for p in problems]


def evaluate_params(session: Session, round_id: int, config: RunConfig, name: str) -> EvaluateParams:
    """The evaluate job of benchmark ``name`` with the round's checkpoint."""
    return EvaluateParams(
        checkpoint=rounds.checkpoint(session, round_id),
        benchmark=name,
        problems=inline_problems(session, config, name),
        group_by=config.evaluation.group_by,
        decoding=Decoding(),
    )


async def send(ctx: StageContext) -> None:
    """Submit the round's first evaluate job not stored yet, without waiting for it (a run that evaluates
    beside the teacher: GENERATE calls it; EVALUATE then follows it and sends the others one at a time, so
    that a run's evaluations never load the model side by side)."""
    run = ctx.run
    done = await ctx.db(rounds.evaluated, run.round_id)
    for part, name in enumerate(target_names(ctx.config)):
        if name not in done:
            build = lambda s, name=name: evaluate_params(s, run.round_id, ctx.config, name)  # noqa: E731
            await jobs.send_job(ctx, Stage.EVALUATE, "evaluate", build, part=part)
            return


async def step(ctx: StageContext) -> StepResult:
    """One look at the first benchmark not yet evaluated this round; DONE when all are stored."""
    run = ctx.run
    done = await ctx.db(rounds.evaluated, run.round_id)
    for part, name in enumerate(target_names(ctx.config)):
        if name in done:
            continue
        outcome = await jobs.follow_job(
            ctx,
            "evaluate",
            lambda s, name=name: evaluate_params(s, run.round_id, ctx.config, name),
            EvaluateResult,
            part=part,
        )
        if outcome is None:
            return StepResult.MORE
        await ctx.db(rounds.add_evaluation, run.round_id, name, *outcome)
    return StepResult.DONE
