"""CLASSIFY: the student solves the classify pool; each problem is easy, hard or no_answer this round.

The pool is the run's training problems (the paper's rule, ``classify_pool="train"``) or its held-out
seed problems (``"heldout"``). One student ``predict`` job; each prediction becomes a label with the
pass-rate and the student's outputs: correct → easy, wrong → hard, no runnable answer → no_answer
(GENERATE treats no_answer as hard).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from fdd.wire.student import Decoding, PredictParams, PredictProblem
from orchestrator.enums import LabelValue, ProblemRole
from orchestrator.problems.models import Label, Problem
from orchestrator.runs.schemas import RunConfig

from .. import jobs
from ..context import StageContext, StepResult
from .evaluate import round_checkpoint

OUTCOME_LABELS = {"correct": LabelValue.EASY, "wrong": LabelValue.HARD, "no_answer": LabelValue.NO_ANSWER}
MAX_OUTPUT_CHARS = 2000


def pool_role(config: RunConfig) -> ProblemRole:
    return ProblemRole.HELDOUT if config.classify_pool == "heldout" else ProblemRole.TRAIN


def predict_params(session: Session, run_id: int, round_id: int, config: RunConfig) -> PredictParams:
    """The predict job over the classify pool, with the round's checkpoint."""
    rows = session.scalars(
        sa.select(Problem)
        .where(Problem.run_id == run_id, Problem.role == pool_role(config))
        .order_by(Problem.id)
    ).all()
    if not rows:
        raise jobs.StageFailed(f"the classify pool ({config.classify_pool}) is empty")
    samples = config.evaluation.num_samples
    return PredictParams(
        checkpoint=round_checkpoint(session, round_id),
        problems=[
            PredictProblem(id=str(p.id), question=p.question, gold=p.answer, meta={"steps": p.steps})
            for p in rows
        ],
        decoding=Decoding(num_samples=samples, temperature=0.0 if samples == 1 else 0.7),
    )


def _outputs(prediction: dict[str, Any]) -> dict[str, Any]:
    outputs = [
        {
            **{k: o.get(k) for k in ("program", "answer", "verdict")},
            "text": str(o.get("text", ""))[:MAX_OUTPUT_CHARS],
        }
        for o in prediction.get("outputs", [])
    ]
    return {"answer": prediction.get("answer"), "outcome": prediction.get("outcome"), "outputs": outputs}


def store_labels(session: Session, run_id: int, round_id: int, result: dict[str, Any]) -> dict[str, int]:
    """One label per predicted problem of the run (existing labels of the round are kept); counts by label."""
    known = set(session.scalars(sa.select(Label.problem_id).where(Label.round_id == round_id)))
    pool = set(session.scalars(sa.select(Problem.id).where(Problem.run_id == run_id)))
    counts = {label.value: 0 for label in LabelValue}
    for prediction in result.get("predictions", []):
        problem_id = int(prediction["id"])
        label = OUTCOME_LABELS.get(prediction.get("outcome"), LabelValue.NO_ANSWER)
        counts[label.value] += 1
        if problem_id in known or problem_id not in pool:
            continue
        session.add(
            Label(
                round_id=round_id,
                problem_id=problem_id,
                label=label,
                pass_rate=float(prediction.get("pass_rate") or 0.0),
                outputs=_outputs(prediction),
            )
        )
    return counts


async def step(ctx: StageContext) -> StepResult:
    """One look at the round's predict job; DONE once its labels are stored."""
    run = ctx.run

    def params() -> PredictParams:
        with ctx.maker() as session:
            return predict_params(session, run.id, run.round_id, ctx.config)

    outcome = await jobs.poll_job(ctx, "predict", params)
    if outcome is None:
        return StepResult.MORE
    await ctx.db(store_labels, run.id, run.round_id, outcome[1])
    return StepResult.DONE
