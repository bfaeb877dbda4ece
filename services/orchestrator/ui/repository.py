"""Queries only the dashboard needs (no business rules, no commits); everything else it reads through the
runs and problems slices' services.

Distributions are binned in the database (``floor(x * bins)``; SQLite's CAST truncates, which is the
same for the non-negative scores binned here) so that a large pool sends a few dozen rows, not one per
problem.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orchestrator.problems.models import Label, Problem, Rationale, Rejection
from orchestrator.runs.models import Round, Run, WorkItem
from orchestrator.runs.state import Stage


def _bin(session: Session, column: Any, bins: int) -> sa.ColumnElement[int]:
    """The bin of a score in [0, 1]; Postgres' CAST rounds, so it gets floor() first."""
    scaled = column * bins
    if session.get_bind().dialect.name == "postgresql":
        scaled = sa.func.floor(scaled)
    return sa.cast(scaled, sa.Integer)


def rounds_of(session: Session, run_ids: list[int]) -> list[Round]:
    if not run_ids:
        return []
    return list(session.scalars(sa.select(Round).where(Round.run_id.in_(run_ids))))


def experiment_runs(session: Session, experiment: str | None = None) -> list[sa.Row[Any]]:
    """(id, name, status, created_at, experiment, arm, seed) of the runs whose config carries an
    ``experiment`` label (``experiment``: of that one only), by id; arm and seed are the labels' text."""
    label = {key: Run.config[("labels", key)].as_string() for key in ("experiment", "arm", "seed")}
    query = (
        sa.select(Run.id, Run.name, Run.status, Run.created_at, *(v.label(k) for k, v in label.items()))
        .where(label["experiment"].is_not(None))
        .order_by(Run.id)
    )
    if experiment is not None:
        query = query.where(label["experiment"] == experiment)
    return list(session.execute(query))


def pass_rate_bins(session: Session, run_id: int, bins: int) -> list[tuple[int, int, int]]:
    """(round index, bin, count) of the pass rates of the run's labels."""
    binned = _bin(session, Label.pass_rate, bins)
    query = (
        sa.select(Round.index, binned, sa.func.count())
        .join(Round, Round.id == Label.round_id)
        .where(Round.run_id == run_id)
        .group_by(Round.index, binned)
    )
    return [(int(r), int(b), int(n)) for r, b, n in session.execute(query)]


def leak_bins(session: Session, run_id: int, bins: int) -> list[tuple[str, int, int]]:
    """(accepted|rejected, bin, count) of the leakage scores of the run's new problems."""
    accepted = _bin(session, Problem.leak_score, bins)
    rejected = _bin(session, Rejection.leak_score, bins)
    rows = session.execute(
        sa.select(sa.literal("accepted"), accepted, sa.func.count())
        .where(Problem.run_id == run_id, Problem.parent_id.is_not(None), Problem.leak_score.is_not(None))
        .group_by(accepted)
        .union_all(
            sa.select(sa.literal("rejected"), rejected, sa.func.count())
            .where(Rejection.run_id == run_id, Rejection.leak_score.is_not(None))
            .group_by(rejected)
        )
    )
    return [(str(kind), int(b), int(n)) for kind, b, n in rows]


def rejection_counts(session: Session, run_id: int) -> list[tuple[int, str, str, int]]:
    """(round index, kind, reason, count) of the run's rejected new problems."""
    query = (
        sa.select(Round.index, Rejection.kind, Rejection.reason, sa.func.count())
        .join(Round, Round.id == Rejection.round_id)
        .where(Rejection.run_id == run_id)
        .group_by(Round.index, Rejection.kind, Rejection.reason)
    )
    return [(int(r), str(k), str(reason), int(n)) for r, k, reason, n in session.execute(query)]


def generate_items(session: Session, run_id: int) -> list[tuple[int, str, int]]:
    """(round index, kind, work items) of the run's GENERATE stages: one item per (parent, kind)."""
    query = (
        sa.select(Round.index, WorkItem.kind, sa.func.count())
        .join(Round, Round.id == WorkItem.round_id)
        .where(WorkItem.run_id == run_id, WorkItem.stage == Stage.GENERATE)
        .group_by(Round.index, WorkItem.kind)
    )
    return [(int(r), str(k), int(n)) for r, k, n in session.execute(query)]


def rationale_costs(session: Session, run_id: int) -> list[tuple[int, str, int, int, float]]:
    """(round index, origin, rationales, tokens, cost) of the rationales stored for the run's problems."""
    query = (
        sa.select(
            Rationale.round_index,
            Problem.origin,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(Rationale.prompt_tokens + Rationale.completion_tokens), 0),
            sa.func.coalesce(sa.func.sum(Rationale.cost_usd), 0.0),
        )
        .join(Problem, Problem.id == Rationale.problem_id)
        .where(Problem.run_id == run_id)
        .group_by(Rationale.round_index, Problem.origin)
    )
    return [(int(r), str(o), int(n), int(t), float(c)) for r, o, n, t, c in session.execute(query)]


def descendants(session: Session, problem_id: int, max_depth: int = 8) -> list[tuple[Problem, int]]:
    """The problem's variants, their variants, … with their depth (1 = children), by id; nest by parent."""
    tree = (
        sa.select(Problem.id, sa.literal(1).label("depth"))
        .where(Problem.parent_id == problem_id)
        .cte("tree", recursive=True)
    )
    tree = tree.union_all(
        sa.select(Problem.id, (tree.c.depth + 1).label("depth"))
        .join(tree, Problem.parent_id == tree.c.id)
        .where(tree.c.depth < max_depth)
    )
    query = sa.select(Problem, tree.c.depth).join(tree, Problem.id == tree.c.id).order_by(Problem.id)
    return [(p, int(d)) for p, d in session.execute(query)]


def rationales(session: Session, problem_id: int) -> list[Rationale]:
    query = sa.select(Rationale).where(Rationale.problem_id == problem_id).order_by(Rationale.id)
    return list(session.scalars(query))


def labels_with_outputs(session: Session, problem_id: int) -> list[tuple[int, Label]]:
    """(round index, label row with the student's outputs) of the problem, in round order."""
    query = (
        sa.select(Round.index, Label)
        .join(Round, Round.id == Label.round_id)
        .where(Label.problem_id == problem_id)
        .order_by(Round.index)
    )
    return [(int(r), label) for r, label in session.execute(query)]
