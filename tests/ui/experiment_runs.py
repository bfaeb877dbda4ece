"""Runs labelled as ``fdd experiment`` labels them (experiment, arm, seed), written through the orchestrator's
models, for the experiment page's tests.

A done run has two rounds whose metrics are shaped as the driver writes them (``driver/round_metrics``):
round 0 evaluated at ``FIRST_ACCURACY`` on the curriculum test set, the last round at the run's final
accuracy with 1- and 2-step groups; the teacher's usage split over the rounds so that calls plus cache hits
add up to ``teacher_requests``, and TRAIN's tokens so that they add up to ``train_tokens``. A run in any
other status has one round without metrics.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from fdd.wire.teacher import UsageDelta
from orchestrator.runs.models import Round, Run
from orchestrator.runs.schemas import RunConfig
from orchestrator.runs.state import RoundStatus, RunStatus, Stage

FIRST_ACCURACY = 0.2
CACHE_HITS = 10


def _metrics(accuracy: float, by_steps: dict[str, float], calls: int, hits: int, tokens: int) -> dict:
    groups = {k: {"n": 50, "correct": round(50 * v), "accuracy": v} for k, v in by_steps.items()}
    return {
        "evaluations": {"curriculum-test": {"accuracy": accuracy, "n": 100, "by_group": groups},
                        "svamp": {"accuracy": accuracy / 2, "n": 100, "by_group": {}}},
        "teacher": UsageDelta(calls=calls, cache_hits=hits, prompt_tokens=10 * calls, completion_tokens=calls,
                              cost_usd=calls / 10_000).model_dump(),
        "train": {"metrics": {"tokens": tokens, "seconds": 1.5, "epochs": 1.0}},
    }  # fmt: skip


def build_labelled_run(
    session: Session,
    experiment: str,
    arm: str | None,
    seed: str | None,
    *,
    accuracy: float = 0.5,
    by_steps: dict[str, float] | None = None,
    teacher_requests: int = 200,
    train_tokens: int = 10_000,
    status: RunStatus = RunStatus.DONE,
) -> int:
    """A run labelled ``experiment`` (and ``arm`` / ``seed`` unless None); returns its id."""
    labels = {"experiment": experiment} | ({"arm": arm} if arm else {}) | ({"seed": seed} if seed else {})
    name = f"{experiment}-{arm}-s{seed}"
    config = RunConfig(name=name, rounds=1, labels=labels).model_dump(mode="json")
    done = status is RunStatus.DONE
    run = Run(name=name, config=config, status=status, stage=Stage.DONE if done else Stage.TRAIN,
              current_round=1 if done else 0, teacher_cost_usd=0.001)  # fmt: skip
    session.add(run)
    session.flush()
    if not done:
        session.add(Round(run_id=run.id, index=0, stage=Stage.TRAIN, status=RoundStatus.RUNNING))
        session.flush()
        return run.id
    steps = by_steps or {"1": accuracy + 0.2, "2": accuracy - 0.2}
    first = _metrics(FIRST_ACCURACY, {}, teacher_requests - CACHE_HITS, CACHE_HITS, train_tokens // 2)
    last = _metrics(accuracy, steps, 0, 0, train_tokens - train_tokens // 2)
    session.add_all(
        Round(run_id=run.id, index=i, stage=Stage.EVALUATE, status=RoundStatus.DONE, metrics=m)
        for i, m in enumerate((first, last))
    )
    session.flush()
    return run.id
