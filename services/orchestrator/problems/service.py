"""Rules of the problems slice: listing a run's pool, lineage, the JSONL export, rejections, and the writes
the driver's stages make: new problems (bulk, ids in order), their rationales (one row builder for the
teacher's programs, seeds and variants alike) and a round's labels (bulk).

The export streams from its own session (the request's session is closed before a streamed body ends) and
pages through the rows, so exporting a large run neither blocks the request pool nor fills memory.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from fdd.wire.teacher import NewProblem, RationaleResult
from fdd_web.errors import NotFound
from orchestrator.enums import LabelValue, Origin
from orchestrator.pagination import Page, page_of
from orchestrator.problems import repository
from orchestrator.problems.schemas import (
    ExportRow,
    LabelRecord,
    LabelWrite,
    Lineage,
    LineageNode,
    ProblemRead,
    RejectionRead,
)
from orchestrator.runs import repository as runs
from orchestrator.runs.service import get_run_or_404


def list_problems(
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
) -> Page[ProblemRead]:
    """A page of a run's problems (id order), filtered by creation round, origin and label."""
    get_run_or_404(session, run_id)
    rows = repository.list_page(
        session, run_id, limit=limit, cursor=cursor, round_created=round_created, origin=origin,
        label=label, label_round=label_round, steps=steps,
    )  # fmt: skip
    return page_of([ProblemRead.model_validate(dict(p)) for p in rows], [p["id"] for p in rows], limit)


def get_lineage(session: Session, problem_id: int) -> Lineage:
    """The problem, its parent, … up to its seed, each with its difficulty label per round."""
    chain = repository.ancestors(session, problem_id)
    if not chain:
        raise NotFound(f"problem {problem_id} not found")
    labels: dict[int, list[LabelRecord]] = defaultdict(list)
    for pid, index, label, pass_rate in repository.label_history(session, [p.id for p in chain]):
        labels[pid].append(LabelRecord(round=index, label=label, pass_rate=pass_rate))
    nodes = [
        LineageNode(
            id=p.id,
            external_id=p.external_id,
            question=p.question,
            answer=p.answer,
            origin=p.origin,
            round_created=p.round_created,
            teacher_model=p.teacher_model,
            teacher_backend=p.teacher_backend,
            prompt_version=p.prompt_version,
            labels=labels[p.id],
        )  # fmt: skip
        for p in chain
    ]
    return Lineage(problem_id=problem_id, chain=nodes)


def check_export(session: Session, run_id: int, round_index: int | None) -> None:
    """Raise NotFound unless the run (and the round, when given) exists."""
    get_run_or_404(session, run_id)
    if round_index is not None and runs.round_by_index(session, run_id, round_index) is None:
        raise NotFound(f"run {run_id} has no round {round_index}")


def export_jsonl(factory: sessionmaker[Session], run_id: int, round_index: int | None) -> Iterator[bytes]:
    """JSON lines, one per (problem, correct rationale): the distillation set up to ``round_index``, each
    with the problem's latest label (and pass rate) up to that round and the teacher that wrote the
    rationale (the problem's teacher where the rationale names none)."""
    with factory() as session:
        for row in repository.export_rows(session, run_id, round_index):
            problem = row.Problem
            yield ExportRow(
                problem_id=problem.id, rationale_id=row.rid, question=problem.question, program=row.program,
                answer=problem.answer, origin=problem.origin, parent_id=problem.parent_id,
                round_created=problem.round_created, teacher_backend=row.backend or problem.teacher_backend,
                teacher_model=row.model or problem.teacher_model,
                prompt_version=row.prompt_version or problem.prompt_version, label=row.label,
                label_round=row.label_round, pass_rate=row.pass_rate, leak_score=problem.leak_score,
            ).model_dump_json().encode() + b"\n"  # fmt: skip


def list_rejections(
    session: Session,
    run_id: int,
    *,
    limit: int,
    cursor: int | None,
    round_index: int | None,
    reason: str | None,
) -> Page[RejectionRead]:
    """A page of the new problems a run rejected (leakage, duplicates, no consensus, …)."""
    get_run_or_404(session, run_id)
    round_id = None
    if round_index is not None:
        round_ = runs.round_by_index(session, run_id, round_index)
        if round_ is None:
            return Page(items=[])
        round_id = round_.id
    rows = repository.rejections_page(
        session, run_id, limit=limit, cursor=cursor, round_id=round_id, reason=reason
    )
    return page_of([RejectionRead.model_validate(r) for r in rows], [r.id for r in rows], limit)


def record_labels(session: Session, round_id: int, labels: Iterable[LabelWrite]) -> int:
    """Write a round's difficulty labels in bulk; a problem already labelled in that round is kept as is.

    Returns how many labels were new. Safe to call again after a crash (the driver's CLASSIFY stage). The
    first write of a round (the usual case) goes straight in; later ones skip what is there already. Two
    writers of one round at once are not expected (the run's lease): the loser gets an IntegrityError.
    """
    rows: dict[int, dict] = {}
    for w in labels:
        if w.problem_id not in rows:
            rows[w.problem_id] = {
                "round_id": round_id, "problem_id": w.problem_id, "label": w.label.value,
                "pass_rate": w.pass_rate, "outputs": w.outputs,
            }  # fmt: skip
    first_write = not repository.round_has_labels(session, round_id)
    return repository.insert_labels(session, rows.values(), skip_conflicts=not first_write)


def add_problems(session: Session, run_id: int, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert new problems of a run in bulk, in order; return their ids in that order.

    Every row has the same keys and a content hash not yet in the run's pool (the stages dedupe first),
    so the ids follow the rows' order on every replay.
    """
    repository.insert_problems(session, rows, skip_conflicts=False)
    ids = repository.ids_by_hash(session, run_id, [row["content_hash"] for row in rows])
    return [ids[row["content_hash"]] for row in rows]


def program_hash(program: str) -> str:
    """sha256 (hex) of a program's text (the teacher sends canonical programs)."""
    return hashlib.sha256(program.strip().encode("utf-8")).hexdigest()


def rationale_rows(
    problem_id: int,
    item: RationaleResult | NewProblem,
    programs: Iterable[str],
    answer: float | None,
    round_index: int,
) -> list[dict[str, Any]]:
    """The rationale rows of a problem: one per distinct program (by hash), in the teacher's order.

    ``item`` is the teacher's answer for the problem (a seed's ``RationaleResult`` or a variant's
    ``NewProblem``): it names the backend, model and prompt version, and its samples carry each
    program's tokens and cost.
    """
    by_program = {s.program: s for s in item.samples if s.program}
    rows: dict[str, dict[str, Any]] = {}
    for program in programs:
        digest = program_hash(program)
        if digest in rows:
            continue
        sample = by_program.get(program)
        rows[digest] = {
            "problem_id": problem_id, "program": program, "program_hash": digest, "answer": answer,
            "correct": True, "verdict": "ok", "backend": item.backend, "model": item.model,
            "prompt_version": item.prompt_version, "round_index": round_index,
            "prompt_tokens": sample.prompt_tokens if sample else 0,
            "completion_tokens": sample.completion_tokens if sample else 0,
            "cost_usd": sample.cost_usd if sample else 0.0,
        }  # fmt: skip
    return list(rows.values())


def add_rationales(session: Session, rows: Iterable[dict[str, Any]]) -> int:
    """Insert rationale rows (from ``rationale_rows``) in bulk; return how many."""
    return repository.insert_rationales(session, rows)
