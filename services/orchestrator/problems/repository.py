"""Queries of the problems slice (no business rules, no commits)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from orchestrator.bulk import insert_rows
from orchestrator.enums import LabelValue, Origin, ProblemRole
from orchestrator.problems.models import Label, Problem, Rationale, Rejection
from orchestrator.runs.models import Round

LISTED = [
    Problem.id, Problem.external_id, Problem.question, Problem.answer, Problem.answer_source,
    Problem.origin, Problem.parent_id, Problem.round_created, Problem.steps, Problem.role,
    Problem.leak_score, Problem.leak_match, Problem.teacher_backend, Problem.teacher_model,
    Problem.prompt_version,
]  # fmt: skip


def get(session: Session, problem_id: int) -> Problem | None:
    return session.get(Problem, problem_id)


def list_page(
    session: Session,
    run_id: int,
    *,
    limit: int,
    cursor: int | None,
    round_created: int | None = None,
    origin: Origin | None = None,
    label: LabelValue | None = None,
    label_round: int | None = None,
    steps: int | None = None,
) -> list[sa.RowMapping]:
    """Up to ``limit + 1`` problems of a run after ``cursor`` (id order), filtered, as ``LISTED`` columns.

    Plain rows rather than ORM objects: a listing page is read-only and building identity-mapped objects
    was most of its cost.
    """
    query = sa.select(*LISTED).where(Problem.run_id == run_id).order_by(Problem.id).limit(limit + 1)
    if cursor is not None:
        query = query.where(Problem.id > cursor)
    if round_created is not None:
        query = query.where(Problem.round_created == round_created)
    if origin is not None:
        query = query.where(Problem.origin == origin)
    if steps is not None:
        query = query.where(Problem.steps == steps)
    if label is not None:
        labelled = sa.select(Label.id).where(Label.problem_id == Problem.id, Label.label == label)
        if label_round is not None:
            labelled = labelled.join(Round, Round.id == Label.round_id).where(Round.index == label_round)
        query = query.where(labelled.exists())
    return list(session.execute(query).mappings())


def ancestors(session: Session, problem_id: int, max_depth: int = 64) -> list[Problem]:
    """The problem and its parent chain up to the seed (recursive CTE, nearest first)."""
    base = sa.select(Problem.id, Problem.parent_id, sa.literal(0).label("depth")).where(
        Problem.id == problem_id
    )
    chain = base.cte("chain", recursive=True)
    step = sa.select(Problem.id, Problem.parent_id, (chain.c.depth + 1).label("depth")).join(
        chain, Problem.id == chain.c.parent_id
    )
    chain = chain.union_all(step.where(chain.c.depth < max_depth))
    query = sa.select(Problem).join(chain, Problem.id == chain.c.id).order_by(chain.c.depth)
    return list(session.scalars(query))


def label_history(session: Session, problem_ids: list[int]) -> list[tuple[int, int, LabelValue, float]]:
    """(problem_id, round index, label, pass_rate) for the given problems, in round order."""
    query = (
        sa.select(Label.problem_id, Round.index, Label.label, Label.pass_rate)
        .join(Round, Round.id == Label.round_id)
        .where(Label.problem_id.in_(problem_ids))
        .order_by(Round.index)
    )
    return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


def distillation_filter(run_id: int, up_to_round: int | None = None) -> list[Any]:
    """The one definition of a run's distillation set D_r: the correct rationales of its training problems
    (held-out seeds excluded) created up to round ``up_to_round`` (None: all so far). Callers join
    ``Rationale`` to ``Problem`` and apply these conditions."""
    where = [Problem.run_id == run_id, Problem.role == ProblemRole.TRAIN, Rationale.correct.is_(True)]
    if up_to_round is not None:
        where.append(Problem.round_created <= up_to_round)
    return where


def distillation_set(session: Session, run_id: int, up_to_round: int | None = None) -> list[Any]:
    """(problem id, question, rationale id, program) of D_r in (problem, rationale) order."""
    return list(
        session.execute(
            sa.select(Problem.id, Problem.question, Rationale.id, Rationale.program)
            .join(Rationale, Rationale.problem_id == Problem.id)
            .where(*distillation_filter(run_id, up_to_round))
            .order_by(Problem.id, Rationale.id)
        ).all()
    )


def distillation_size(session: Session, run_id: int, up_to_round: int | None = None) -> int:
    """The number of examples in D_r."""
    return int(
        session.scalar(
            sa.select(sa.func.count(Rationale.id))
            .join(Problem, Problem.id == Rationale.problem_id)
            .where(*distillation_filter(run_id, up_to_round))
        )
        or 0
    )


def export_rows(session: Session, run_id: int, up_to_round: int | None, batch: int = 2000) -> Iterator[Any]:
    """(problem, rid, program, rationale's backend/model/prompt version, label, pass rate, label round) rows
    of the run's correct rationales in (problem, rationale) order.

    The rows of ``distillation_set`` (held-out seeds are not exported). The label is the problem's latest
    one up to round ``up_to_round`` (any round when None): the final round classifies nothing, so its
    export carries the labels of the round before. Keyset-paged so a large export never sits in memory.
    """
    inner, inner_round = aliased(Label), aliased(Round)
    latest = (
        sa.select(inner.id)
        .join(inner_round, inner_round.id == inner.round_id)
        .where(inner.problem_id == Problem.id)
        .order_by(inner_round.index.desc())
        .limit(1)
    )
    if up_to_round is not None:
        latest = latest.where(inner_round.index <= up_to_round)
    label_round = aliased(Round)
    query = (
        sa.select(
            Problem,
            Rationale.id.label("rid"),
            Rationale.program,
            Rationale.backend,
            Rationale.model,
            Rationale.prompt_version,
            Label.label,
            Label.pass_rate,
            label_round.index.label("label_round"),
        )
        .join(Rationale, Rationale.problem_id == Problem.id)
        .outerjoin(Label, Label.id == latest.correlate(Problem).scalar_subquery())
        .outerjoin(label_round, label_round.id == Label.round_id)
        .where(*distillation_filter(run_id, up_to_round))
        .order_by(Problem.id, Rationale.id)
        .limit(batch)
    )
    last: tuple[int, int] = (0, 0)
    while True:
        page = session.execute(query.where(sa.tuple_(Problem.id, Rationale.id) > sa.tuple_(*last))).all()
        yield from page
        if len(page) < batch:
            return
        last = (page[-1][0].id, page[-1].rid)


def rejections_page(
    session: Session, run_id: int, *, limit: int, cursor: int | None, round_id: int | None, reason: str | None
) -> list[Rejection]:
    query = sa.select(Rejection).where(Rejection.run_id == run_id).order_by(Rejection.id).limit(limit + 1)
    if cursor is not None:
        query = query.where(Rejection.id > cursor)
    if round_id is not None:
        query = query.where(Rejection.round_id == round_id)
    if reason is not None:
        query = query.where(Rejection.reason == reason)
    return list(session.scalars(query))


def round_has_labels(session: Session, round_id: int) -> bool:
    return session.execute(sa.select(Label.id).where(Label.round_id == round_id).limit(1)).first() is not None


def insert_labels(session: Session, rows: Iterable[dict[str, Any]], *, skip_conflicts: bool = True) -> int:
    """Insert label rows; with ``skip_conflicts``, (round, problem) pairs already labelled are skipped."""
    return insert_rows(session, Label.__table__, rows, skip_conflicts=skip_conflicts)


def insert_problems(session: Session, rows: Iterable[dict[str, Any]], *, skip_conflicts: bool = True) -> int:
    """Insert problem rows (COPY on Postgres); with ``skip_conflicts``, any whose (run, content hash) is
    already in the pool is skipped. Without it the rows keep their order (ids follow it) and a duplicate
    is an IntegrityError: the driver's stages dedupe first and want ids in a stable order."""
    return insert_rows(session, Problem.__table__, rows, skip_conflicts=skip_conflicts)


def ids_by_hash(session: Session, run_id: int, hashes: Sequence[str], batch: int = 5000) -> dict[str, int]:
    """{content hash: problem id} of the run's problems among ``hashes`` (queried in batches: a large seed
    set would pass the protocol's 65,535 bound parameters)."""
    ids: dict[str, int] = {}
    for start in range(0, len(hashes), batch):
        chunk = hashes[start : start + batch]
        query = sa.select(Problem.content_hash, Problem.id).where(
            Problem.run_id == run_id, Problem.content_hash.in_(chunk)
        )
        ids.update(session.execute(query).all())  # type: ignore[arg-type]
    return ids


def has_problems(session: Session, run_id: int) -> bool:
    return session.execute(sa.select(Problem.id).where(Problem.run_id == run_id).limit(1)).first() is not None


def pool(session: Session, run_id: int, role: ProblemRole) -> list[Problem]:
    """The run's problems of ``role`` in id order (CLASSIFY's pool)."""
    query = sa.select(Problem).where(Problem.run_id == run_id, Problem.role == role).order_by(Problem.id)
    return list(session.scalars(query))


def problem_ids(session: Session, run_id: int) -> set[int]:
    return set(session.scalars(sa.select(Problem.id).where(Problem.run_id == run_id)))


def round_labels(session: Session, round_id: int) -> list[tuple[int, LabelValue, Origin]]:
    """(problem id, label, origin) of the round's labels in problem order (GENERATE's plan reads them)."""
    query = (
        sa.select(Label.problem_id, Label.label, Problem.origin)
        .join(Problem, Problem.id == Label.problem_id)
        .where(Label.round_id == round_id)
        .order_by(Label.problem_id)
    )
    return [(pid, label, origin) for pid, label, origin in session.execute(query)]


def first_correct_programs(session: Session, problem_ids: Iterable[int]) -> dict[int, str]:
    """{problem id: its first correct program (text order)} for the problems that have one."""
    query = (
        sa.select(Rationale.problem_id, sa.func.min(Rationale.program))
        .where(Rationale.problem_id.in_(list(problem_ids)), Rationale.correct.is_(True))
        .group_by(Rationale.problem_id)
    )
    return dict(session.execute(query).all())  # type: ignore[arg-type]


def insert_rationales(session: Session, rows: Iterable[dict[str, Any]]) -> int:
    """Insert rationale rows in their order (one (problem, program hash) each: the builder dedupes)."""
    return insert_rows(session, Rationale.__table__, rows)


def insert_rejections(session: Session, rows: Iterable[dict[str, Any]]) -> int:
    return insert_rows(session, Rejection.__table__, rows)
