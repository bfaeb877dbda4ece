"""INIT: load the seed problems into the run's pool and have the teacher write their rationales.

First step: the seed problems (dataset or curriculum; a held-out classify pool split off when
configured) are inserted with one ``rationale`` work item per training problem, in one transaction.
Later steps send the pending items to ``POST /v1/rationales`` in chunks (a few in flight), with a
sampling seed derived from the run's config so a repeated request is answered from the teacher's cache,
and record each chunk's outcome in one commit: the distinct correct programs become rationales, a
problem with none is a failed work item with the reason. Problems without rationales stay in the pool
but are not part of the distillation set.
"""

from __future__ import annotations

import hashlib
from collections import Counter

import sqlalchemy as sa
from sqlalchemy.orm import Session

from fdd.wire.teacher import ProblemIn, RationaleRequest, RationaleResponse, RationaleResult, Sampling
from orchestrator.enums import AnswerSource, Origin, ProblemRole, WorkKind, WorkStatus
from orchestrator.problems.models import Problem, Rationale
from orchestrator.runs.models import Run, WorkItem
from orchestrator.runs.state import Stage

from .. import keys, seeds
from ..chunks import first_error, gather_bounded, split
from ..context import RunSnapshot, StageContext, StepResult
from .progress import set_progress, work_counts


def program_hash(program: str) -> str:
    """sha256 (hex) of a program's text (the teacher sends canonical programs)."""
    return hashlib.sha256(program.strip().encode("utf-8")).hexdigest()


def load_seeds(session: Session, run: RunSnapshot) -> int:
    """Insert the seed problems and their work items unless already there; return how many were added."""
    exists = session.scalar(sa.select(sa.func.count()).select_from(Problem).where(Problem.run_id == run.id))
    if exists:
        return 0
    problems = seeds.seed_problems(session, run.config)
    heldout = seeds.split_heldout(problems, run.config)
    seen: set[str] = set()
    rows: list[Problem] = []
    for index, p in enumerate(problems):
        digest = keys.text_hash(p.question)
        if digest in seen:
            continue
        seen.add(digest)
        role = ProblemRole.HELDOUT if index in heldout else ProblemRole.TRAIN
        steps = p.meta.get("steps") if isinstance(p.meta.get("steps"), int) else None
        rows.append(
            Problem(
                run_id=run.id,
                external_id=p.id,
                question=p.question,
                answer=float(p.answer),
                answer_source=AnswerSource.GOLD,
                origin=Origin.SEED,
                round_created=0,
                content_hash=digest,
                steps=steps,
                role=role,
                meta=dict(p.meta),
            )
        )
    session.add_all(rows)
    session.flush()
    session.add_all(
        WorkItem(
            run_id=run.id, round_id=run.round_id, stage=Stage.INIT, problem_id=r.id, kind=WorkKind.RATIONALE
        )
        for r in rows
        if r.role is ProblemRole.TRAIN
    )
    return len(rows)


def pending_problems(
    session: Session, round_id: int, stage: Stage, limit: int
) -> list[tuple[int, str, float]]:
    """(problem id, question, answer) of the stage's pending work items, by problem id."""
    rows = session.execute(
        sa.select(Problem.id, Problem.question, Problem.answer)
        .join(WorkItem, WorkItem.problem_id == Problem.id)
        .where(WorkItem.round_id == round_id, WorkItem.stage == stage, WorkItem.status == WorkStatus.PENDING)
        .order_by(Problem.id)
        .limit(limit)
    ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def _failure_reason(result: RationaleResult) -> str:
    if result.error:
        return result.error
    verdicts = Counter("correct" if s.correct else s.verdict for s in result.samples)
    return "no correct rationale among the samples: " + ", ".join(
        f"{v}×{n}" for v, n in sorted(verdicts.items())
    )


def _rationales(result: RationaleResult, answer: float) -> list[Rationale]:
    by_program = {s.program: s for s in result.samples if s.program}
    rows: dict[str, Rationale] = {}
    for program in result.correct_programs:
        sample = by_program.get(program)
        rows.setdefault(
            program_hash(program),
            Rationale(
                program=program,
                program_hash=program_hash(program),
                answer=answer,
                correct=True,
                verdict="ok",
                backend=result.backend,
                model=result.model,
                prompt_version=result.prompt_version,
                prompt_tokens=sample.prompt_tokens if sample else 0,
                completion_tokens=sample.completion_tokens if sample else 0,
                cost_usd=sample.cost_usd if sample else 0.0,
                round_index=0,
            ),
        )
    return list(rows.values())


def record(session: Session, run: RunSnapshot, responses: list[RationaleResponse]) -> None:
    """Store one step's teacher answers: rationales, work item outcomes, the run's teacher cost."""
    items = {
        w.problem_id: w
        for w in session.scalars(
            sa.select(WorkItem).where(WorkItem.round_id == run.round_id, WorkItem.stage == Stage.INIT)
        )
    }
    for response in responses:
        for result in response.results:
            item = items[int(result.id)]
            if item.status is not WorkStatus.PENDING:
                continue
            answer = session.get(Problem, item.problem_id).answer  # type: ignore[union-attr]
            rationales = _rationales(result, answer)
            for rationale in rationales:
                rationale.problem_id = item.problem_id
            session.add_all(rationales)
            item.status = WorkStatus.DONE if rationales else WorkStatus.FAILED
            item.error = None if rationales else _failure_reason(result)[:2000]
    cost = sum(r.usage.cost_usd for r in responses)
    session.execute(
        sa.update(Run).where(Run.id == run.id).values(teacher_cost_usd=Run.teacher_cost_usd + cost)
    )
    set_progress(session, run.round_id, "init", work_counts(session, run.round_id, Stage.INIT))


def request(ctx: StageContext, chunk: list[tuple[int, str, float]]) -> RationaleRequest:
    """The teacher request of one chunk (the seed depends on the config only: replays hit the cache)."""
    teacher = ctx.config.teacher
    return RationaleRequest(
        problems=[ProblemIn(id=str(pid), text=question, gold=answer) for pid, question, answer in chunk],
        k=teacher.k,
        sampling=Sampling(
            temperature=teacher.temperature, seed=keys.derive_seed(ctx.config.sampling_seed, "init")
        ),
        label=keys.usage_label(ctx.run.id, None),
    )


async def step(ctx: StageContext) -> StepResult:
    """Load the seeds (first call), then one batch of rationale chunks; DONE when none is pending."""
    await ctx.db(load_seeds, ctx.run)
    opts = ctx.options
    pending = await ctx.db(
        pending_problems, ctx.run.round_id, Stage.INIT, opts.teacher_chunk * opts.chunks_per_step
    )
    if not pending:
        await ctx.db(
            lambda s: set_progress(s, ctx.run.round_id, "init", work_counts(s, ctx.run.round_id, Stage.INIT))
        )
        return StepResult.DONE
    requests = [request(ctx, chunk) for chunk in split(pending, opts.teacher_chunk)]
    outcomes = await gather_bounded(ctx.teacher.rationales, requests, opts.teacher_concurrency)
    await ctx.db(record, ctx.run, [o for o in outcomes if isinstance(o, RationaleResponse)])
    error = first_error(outcomes)
    if error is not None:
        raise error
    return StepResult.MORE
