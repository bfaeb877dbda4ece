"""INIT: load the seed problems into the run's pool and have the teacher write their rationales.

First step: the seed problems (dataset or curriculum; a held-out classify pool split off when
configured) are inserted in bulk with one ``rationale`` work item per training problem, in one
transaction. Later steps (``teacher_stage``) send the pending items to ``POST /v1/rationales`` in chunks,
with a sampling seed derived from the run's config so a repeated request is answered from the teacher's
cache, and record each step in one commit: the distinct correct programs become rationales, a problem
with none is a failed work item with the reason. Problems without rationales stay in the pool but are
not part of the distillation set.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy.orm import Session

from fdd.wire.teacher import ProblemIn, RationaleRequest, RationaleResponse, RationaleResult, Sampling
from orchestrator.enums import AnswerSource, Origin, ProblemRole, WorkKind, WorkStatus
from orchestrator.problems import repository as problems_repo
from orchestrator.problems import service as problems
from orchestrator.runs.state import Stage

from .. import keys, seeds, teacher_stage, work_items
from ..chunks import split
from ..context import RunSnapshot, StageContext, StepResult


def seed_rows(session: Session, run: RunSnapshot) -> list[dict[str, Any]]:
    """The run's seed problems as pool rows (first of each question kept; held-out ones marked)."""
    found = seeds.seed_problems(session, run.config)
    heldout = seeds.split_heldout(found, run.config)
    seen: set[str] = set()
    rows: list[dict[str, Any]] = []
    for index, p in enumerate(found):
        digest = keys.text_hash(p.question)
        if digest in seen:
            continue
        seen.add(digest)
        role = ProblemRole.HELDOUT if index in heldout else ProblemRole.TRAIN
        rows.append(
            {
                "run_id": run.id, "external_id": p.id, "question": p.question, "answer": float(p.answer),
                "answer_source": AnswerSource.GOLD, "origin": Origin.SEED, "round_created": 0,
                "content_hash": digest, "role": role,
                "steps": p.meta.get("steps") if isinstance(p.meta.get("steps"), int) else None,
                "meta": dict(p.meta),
            }
        )  # fmt: skip
    return rows


def load_seeds(session: Session, run: RunSnapshot) -> int:
    """Insert the seed problems and their work items unless already there; return how many were added."""
    if problems_repo.has_problems(session, run.id):
        return 0
    rows = seed_rows(session, run)
    ids = problems.add_problems(session, run.id, rows)
    train = [
        (pid, WorkKind.RATIONALE)
        for pid, row in zip(ids, rows, strict=True)
        if row["role"] is ProblemRole.TRAIN
    ]
    work_items.add(session, run, Stage.INIT, train)
    return len(rows)


def _failure_reason(result: RationaleResult) -> str:
    if result.error:
        return result.error
    verdicts = Counter("correct" if s.correct else s.verdict for s in result.samples)
    return "no correct rationale among the samples: " + ", ".join(
        f"{v}×{n}" for v, n in sorted(verdicts.items())
    )


def record(
    session: Session, run: RunSnapshot, answered: list[tuple[RationaleRequest, RationaleResponse]], _: None
) -> None:
    """Store one step's teacher answers: the rationales, and each work item done or failed with the reason."""
    asked = (int(p.id) for request, _ in answered for p in request.problems)
    items = work_items.by_key(session, run.round_id, Stage.INIT, asked)
    rows: list[dict[str, Any]] = []
    for request, response in answered:
        gold = {p.id: p.gold for p in request.problems}
        for result in response.results:
            item = items[(int(result.id), WorkKind.RATIONALE)]
            if item.status is not WorkStatus.PENDING:
                continue
            found = problems.rationale_rows(
                item.problem_id, result, result.correct_programs, gold[result.id], 0
            )
            rows += found
            item.status = WorkStatus.DONE if found else WorkStatus.FAILED
            item.error = None if found else _failure_reason(result)[:2000]
    problems.add_rationales(session, rows)


def pending(session: Session, run: RunSnapshot, limit: int) -> list[work_items.Pending]:
    """The next pending seed problems, by id."""
    return work_items.pending(session, run.round_id, Stage.INIT, limit)


def requests(ctx: StageContext, items: list[work_items.Pending]) -> list[RationaleRequest]:
    """The teacher requests, one per chunk (the seed depends on the config only: replays hit the cache)."""
    teacher = ctx.config.teacher
    sampling = Sampling(
        temperature=teacher.temperature, seed=keys.derive_seed(ctx.config.sampling_seed, "init")
    )
    return [
        RationaleRequest(
            problems=[ProblemIn(id=str(p.problem_id), text=p.question, gold=p.answer) for p in chunk],
            k=teacher.k,
            sampling=sampling,
            label=keys.usage_label(ctx.run.id, None),
        )
        for chunk in split(items, ctx.options.teacher_chunk)
    ]


STAGE = teacher_stage.TeacherStage(
    stage=Stage.INIT,
    prepare=load_seeds,
    pending=pending,
    requests=requests,
    send=lambda teacher: teacher.rationales,
    record=record,
)


async def step(ctx: StageContext) -> StepResult:
    """Load the seeds (first call), then one batch of rationale chunks; DONE when none is pending."""
    return await teacher_stage.step(ctx, STAGE)
