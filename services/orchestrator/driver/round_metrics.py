"""A round's report card, written when the round closes, and the stop criteria read at EVALUATE.

Metrics: accuracy per benchmark (overall and by group, e.g. step count), the pool by origin and the
distillation set's size, the round's easy/hard/no_answer counts, the teacher's calls, cache hits and
cost for the round (from its usage report under the round's label; round 0 also counts INIT's),
rejections by reason and the leakage scores of the round's accepted problems, and ``warnings``: signs that
the round's training was too short (accuracy collapsed against the previous round, most classified
answers none), shown in the run's status and report. Stop criteria: the teacher budget, and a plateau of
the mean benchmark accuracy over ``patience`` rounds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from fdd.wire.teacher import UsageDelta
from orchestrator.enums import ProblemRole
from orchestrator.problems import repository as problems_repo
from orchestrator.problems.models import Label, Problem, Rejection
from orchestrator.runs.models import Evaluation, Round, Run
from orchestrator.runs.schemas import RunConfig

from . import keys
from .context import StageContext


def _evaluations(session: Session, round_id: int) -> dict[str, Any]:
    rows = session.scalars(
        sa.select(Evaluation).where(Evaluation.round_id == round_id).order_by(Evaluation.id)
    )
    return {e.benchmark: {"accuracy": e.accuracy, "n": e.n, "by_group": e.by_group} for e in rows}


def _grouped(session: Session, column: Any, *where: Any) -> dict[str, int]:
    rows = session.execute(sa.select(column, sa.func.count()).where(*where).group_by(column)).all()
    return {str(getattr(k, "value", k)): int(n) for k, n in sorted(rows, key=lambda r: str(r[0]))}


def database_metrics(session: Session, run_id: int, round_id: int, round_index: int) -> dict[str, Any]:
    """Everything the round's metrics take from the database."""
    leak = session.execute(
        sa.select(
            sa.func.count(Problem.leak_score),
            sa.func.avg(Problem.leak_score),
            sa.func.max(Problem.leak_score),
        ).where(
            Problem.run_id == run_id, Problem.round_created == round_index, Problem.parent_id.is_not(None)
        )
    ).one()
    return {
        "evaluations": _evaluations(session, round_id),
        "pool_by_origin": _grouped(
            session, Problem.origin, Problem.run_id == run_id, Problem.role == ProblemRole.TRAIN
        ),
        "distillation_examples": problems_repo.distillation_size(session, run_id),
        "labels": _grouped(session, Label.label, Label.round_id == round_id),
        "rejections": _grouped(session, Rejection.reason, Rejection.round_id == round_id),
        "created_by_origin": _grouped(
            session,
            Problem.origin,
            Problem.run_id == run_id,
            Problem.round_created == round_index,
            Problem.parent_id.is_not(None),
        ),
        "leakage": {"scored": int(leak[0]), "mean": leak[1], "max": leak[2]},
    }


# A round is flagged when a benchmark's accuracy fell below half the previous round's and by at least
# 5 points (noise on a small test set moves less), or when most classified problems got no answer.
COLLAPSE_RATIO = 0.5
COLLAPSE_MIN_DROP = 0.05
MOSTLY_NONE = 0.5
TOO_SHORT = "the round's training may be too short (student.epochs, budget_examples or schedule)"


def previous_evaluations(session: Session, run_id: int, round_index: int) -> dict[str, Any]:
    """The evaluations of the run's round before ``round_index`` (empty for round 0)."""
    previous = session.scalar(
        sa.select(Round.id).where(Round.run_id == run_id, Round.index == round_index - 1)
    )
    return _evaluations(session, previous) if previous is not None else {}


def round_warnings(metrics: dict[str, Any], previous: dict[str, Any]) -> list[str]:
    """Signs in a round's metrics that its training was too short, one line each."""
    warnings = []
    for benchmark, evaluation in (metrics.get("evaluations") or {}).items():
        if benchmark not in previous:
            continue
        now, before = float(evaluation["accuracy"]), float(previous[benchmark]["accuracy"])
        if before - now >= COLLAPSE_MIN_DROP and now < before * COLLAPSE_RATIO:
            warnings.append(
                f"accuracy collapsed on {benchmark}: {100 * now:.1f} % vs {100 * before:.1f} % in the "
                f"previous round; {TOO_SHORT}"
            )
    labels = metrics.get("labels") or {}
    classified, none = sum(labels.values()), labels.get("no_answer", 0)
    if classified and none / classified > MOSTLY_NONE:
        warnings.append(
            f"most answers none: {100 * none / classified:.0f} % no_answer ({none} of {classified} "
            f"classified problems); {TOO_SHORT}"
        )
    return warnings


async def teacher_usage(ctx: StageContext) -> dict[str, Any]:
    """The teacher's calls, cache hits, tokens and cost under the round's label (and INIT's for round 0)."""
    labels = [keys.usage_label(ctx.run.id, ctx.run.round_index)]
    if ctx.run.round_index == 0:
        labels.append(keys.usage_label(ctx.run.id, None))
    total = UsageDelta()
    for label in labels:
        totals = (await ctx.teacher.usage(label)).totals
        total = UsageDelta(**{f: getattr(total, f) + getattr(totals, f) for f in UsageDelta.model_fields})
    return total.model_dump()


async def collect(ctx: StageContext) -> dict[str, Any]:
    """The closing round's metrics (kept together with what TRAIN already recorded)."""
    run = ctx.run
    metrics = await ctx.db(database_metrics, run.id, run.round_id, run.round_index)
    previous = await ctx.db(lambda s: dict(s.get(Round, run.round_id).metrics or {}))
    before = await ctx.db(previous_evaluations, run.id, run.round_index)
    warnings = round_warnings(metrics, before)
    return {**previous, **metrics, "teacher": await teacher_usage(ctx), "warnings": warnings}


def with_stage_time(
    metrics: dict[str, Any], stage: str, now: datetime, started: datetime | None
) -> dict[str, Any]:
    """``metrics`` with the wall time of ``stage`` (ended ``now``) added under ``timing``: seconds since the
    previous stage of the round ended (or since ``started``, the round's start, for its first stage).
    A paused run's pause counts in the stage it paused in."""
    timing = dict(metrics.get("timing") or {})
    since_text = timing.pop("_since", None)
    since = datetime.fromisoformat(since_text) if since_text else started
    if since is not None:
        since = since if since.tzinfo else since.replace(tzinfo=UTC)
        timing[stage] = round(timing.get(stage, 0.0) + max(0.0, (now - since).total_seconds()), 3)
    timing["_since"] = now.isoformat()
    return {**metrics, "timing": timing}


def add_compute(metrics: dict[str, Any], stage: str, seconds: float | None) -> dict[str, Any]:
    """``metrics`` with ``seconds`` of the student's own compute (inside its job) added for ``stage``."""
    compute = dict(metrics.get("compute") or {})
    compute[stage] = round(compute.get(stage, 0.0) + float(seconds or 0.0), 3)
    return {**metrics, "compute": compute}


def mean_accuracies(session: Session, run_id: int) -> list[float]:
    """Mean benchmark accuracy of each evaluated round of the run, by round index."""
    rows = session.execute(
        sa.select(Round.index, sa.func.avg(Evaluation.accuracy))
        .join(Evaluation, Evaluation.round_id == Round.id)
        .where(Round.run_id == run_id)
        .group_by(Round.index)
        .order_by(Round.index)
    ).all()
    return [float(acc) for _, acc in rows]


def plateaued(scores: list[float], patience: int, min_delta: float) -> bool:
    """True when none of the last ``patience`` scores beat the best before them by more than ``min_delta``."""
    if len(scores) <= patience:
        return False
    return max(scores[-patience:]) <= max(scores[:-patience]) + min_delta


def stop_criterion_met(session: Session, run_id: int) -> bool:
    """Whether the run should end after this evaluation: teacher budget reached, or a plateau."""
    run = session.get(Run, run_id)
    assert run is not None
    config = RunConfig.model_validate(run.config)
    if config.budget_usd is not None and (run.teacher_cost_usd or 0.0) >= config.budget_usd:
        return True
    if config.plateau is not None:
        return plateaued(mean_accuracies(session, run_id), config.plateau.patience, config.plateau.min_delta)
    return False
