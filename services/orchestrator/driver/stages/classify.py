"""CLASSIFY: the student solves the classify pool; each problem is easy, hard or no_answer this round.

The pool is the run's training problems (the paper's rule, ``classify_pool="train"``) or its held-out
seed problems (``"heldout"``). One student ``predict`` job samples ``evaluation.num_samples`` programs
per problem (greedy when 1, else at ``classify_temperature``); a problem whose pass-rate (share of
correct samples) reaches ``easy_pass_rate`` is easy, one with no runnable answer in any sample is
no_answer (GENERATE treats it as hard), the rest are hard. Greedy decoding is the k = 1 case: correct →
easy. The labels go in through the problems slice's bulk ``record_labels``.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from fdd.wire.student import Decoding, PredictionRead, PredictParams, PredictProblem, PredictResult
from orchestrator.enums import LabelValue, ProblemRole
from orchestrator.problems import repository as problems_repo
from orchestrator.problems.schemas import LabelWrite
from orchestrator.problems.service import record_labels
from orchestrator.runs.schemas import RunConfig

from .. import jobs, rounds
from ..context import StageContext, StageFailed, StepResult

MAX_OUTPUT_CHARS = 2000


def pool_role(config: RunConfig) -> ProblemRole:
    return ProblemRole.HELDOUT if config.classify_pool == "heldout" else ProblemRole.TRAIN


def predict_params(session: Session, run_id: int, round_id: int, config: RunConfig) -> PredictParams:
    """The predict job over the classify pool, with the round's checkpoint."""
    rows = problems_repo.pool(session, run_id, pool_role(config))
    if not rows:
        raise StageFailed(f"the classify pool ({config.classify_pool}) is empty")
    samples = config.evaluation.num_samples
    return PredictParams(
        checkpoint=rounds.checkpoint(session, round_id),
        problems=[
            PredictProblem(id=str(p.id), question=p.question, gold=p.answer, meta={"steps": p.steps})
            for p in rows
        ],
        decoding=Decoding(
            num_samples=samples, temperature=0.0 if samples == 1 else config.evaluation.classify_temperature
        ),
    )


def label_of(prediction: PredictionRead, easy_pass_rate: float) -> LabelValue:
    """Easy when the share of correct samples reaches ``easy_pass_rate``; no_answer when no sample ran."""
    if prediction.pass_rate is not None and prediction.pass_rate >= easy_pass_rate:
        return LabelValue.EASY
    if all(o.answer is None for o in prediction.outputs):
        return LabelValue.NO_ANSWER
    return LabelValue.HARD


def _outputs(prediction: PredictionRead) -> dict:
    outputs = [
        {"program": o.program, "answer": o.answer, "verdict": o.verdict, "text": o.text[:MAX_OUTPUT_CHARS]}
        for o in prediction.outputs
    ]
    return {"answer": prediction.answer, "outcome": prediction.outcome, "outputs": outputs}


def label_writes(
    predictions: Iterable[PredictionRead], pool: set[int], easy_pass_rate: float
) -> list[LabelWrite]:
    """One label per predicted problem of the pool (an id the pool lacks is ignored)."""
    return [
        LabelWrite(
            problem_id=int(p.id),
            label=label_of(p, easy_pass_rate),
            pass_rate=float(p.pass_rate or 0.0),
            outputs=_outputs(p),
        )
        for p in predictions
        if p.id.isdigit() and int(p.id) in pool
    ]


def store_labels(
    session: Session, run_id: int, round_id: int, result: PredictResult, config: RunConfig
) -> int:
    """The round's labels (a problem labelled already this round keeps its label); how many were new."""
    pool = problems_repo.problem_ids(session, run_id)
    writes = label_writes(result.predictions, pool, config.evaluation.easy_pass_rate)
    rounds.add_compute(session, round_id, "classify", result.seconds, pass_rates=pass_rate_histogram(writes))
    return record_labels(session, round_id, writes)


def pass_rate_histogram(writes: list[LabelWrite], bins: int = 10) -> dict[str, int]:
    """How many classified problems fall in each pass-rate tenth ("0.0" … "1.0"; 1.0 has its own bin)."""
    counts: dict[str, int] = {}
    for w in writes:
        key = f"{min(int(w.pass_rate * bins), bins) / bins:.1f}"
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


async def step(ctx: StageContext) -> StepResult:
    """One look at the round's predict job; DONE once its labels are stored."""
    run = ctx.run
    return await jobs.job_step(
        ctx,
        "predict",
        lambda s: predict_params(s, run.id, run.round_id, ctx.config),
        PredictResult,
        lambda s, result: store_labels(s, run.id, run.round_id, result, ctx.config),
    )
