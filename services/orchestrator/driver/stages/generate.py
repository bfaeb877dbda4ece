"""GENERATE: the teacher writes new problems from the round's labels; the accepted ones join the pool.

First step: the plan (``variants.plan_variants``: complex variants of easy problems, similar problems
for hard ones, or an ablation mode) becomes one work item per (parent, kind). Later steps send pending
items to ``POST /v1/variants`` in chunks (grouped by kind and count, a few requests in flight, sampling
seed derived from config, round and kind so that a replay is served from the teacher's cache), then
judge every new problem — the teacher's verdict, a duplicate of the pool (text hash), a benchmark
look-alike (leakage score at or above the threshold) — and record the chunk in one commit: accepted
problems with their lineage and agreeing programs as rationales, rejections with the reason, the work
items done. Once the teacher cost reaches the budget, the remaining items fail with reason ``budget``.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from fdd.leakage import Match
from fdd.wire.teacher import NewProblem, Sampling, VariantRequest, VariantResponse, VariantSource
from orchestrator.enums import AnswerSource, Origin, ProblemRole, WorkKind, WorkStatus
from orchestrator.problems.models import Label, Problem, Rationale, Rejection
from orchestrator.runs.models import Run, WorkItem
from orchestrator.runs.state import Stage

from .. import decontaminate, keys
from ..chunks import first_error, gather_bounded, split
from ..context import RunSnapshot, StageContext, StepResult
from ..variants import Labelled, PlannedItem, judge, plan_variants
from .init import program_hash
from .progress import set_progress, work_counts


def plan(session: Session, run: RunSnapshot) -> dict[tuple[int, WorkKind], int]:
    """The round's plan as {(parent id, kind): n} (a pure function of the round's labels)."""
    rows = session.execute(
        sa.select(Label.problem_id, Label.label, Problem.origin)
        .join(Problem, Problem.id == Label.problem_id)
        .where(Label.round_id == run.round_id)
        .order_by(Label.problem_id)
    ).all()
    labelled = [Labelled(pid, label, origin is Origin.SEED) for pid, label, origin in rows]
    teacher = run.config.teacher
    seed = keys.derive_seed(run.config.sampling_seed, "random-plan", run.round_index)
    items = plan_variants(labelled, run.config.feedback, teacher.n_complex, teacher.n_similar, seed)
    return {(item.problem_id, item.kind): item.n for item in items}


def ensure_work_items(session: Session, run: RunSnapshot) -> None:
    """Create the round's work items from the plan, once."""
    exists = session.scalar(
        sa.select(sa.func.count())
        .select_from(WorkItem)
        .where(WorkItem.round_id == run.round_id, WorkItem.stage == Stage.GENERATE)
    )
    if exists:
        return
    session.add_all(
        WorkItem(run_id=run.id, round_id=run.round_id, stage=Stage.GENERATE, problem_id=pid, kind=kind)
        for (pid, kind) in plan(session, run)
    )


def pending(session: Session, run: RunSnapshot, limit: int) -> list[tuple[PlannedItem, VariantSource]]:
    """The next pending items with their parent as the teacher sees it (text, a program, the answer)."""
    counts = plan(session, run)
    rows = session.execute(
        sa.select(WorkItem.problem_id, WorkItem.kind, Problem.question, Problem.answer)
        .join(Problem, Problem.id == WorkItem.problem_id)
        .where(WorkItem.round_id == run.round_id, WorkItem.stage == Stage.GENERATE)
        .where(WorkItem.status == WorkStatus.PENDING)
        .order_by(WorkItem.kind, WorkItem.problem_id)
        .limit(limit)
    ).all()
    programs = dict(
        session.execute(
            sa.select(Rationale.problem_id, sa.func.min(Rationale.program))
            .where(Rationale.problem_id.in_([r[0] for r in rows]), Rationale.correct.is_(True))
            .group_by(Rationale.problem_id)
        ).all()
    )
    return [
        (
            PlannedItem(pid, kind, counts.get((pid, kind), 1)),
            VariantSource(id=str(pid), text=question, program=programs.get(pid), answer=answer),
        )
        for pid, kind, question, answer in rows
    ]


def requests(ctx: StageContext, items: list[tuple[PlannedItem, VariantSource]]) -> list[VariantRequest]:
    """Teacher requests: items grouped by (kind, n), in chunks; the seed depends on config, round and kind."""
    teacher = ctx.config.teacher
    groups: dict[tuple[WorkKind, int], list[VariantSource]] = defaultdict(list)
    for item, source in items:
        groups[(item.kind, item.n)].append(source)
    out = []
    for (kind, n), sources in sorted(groups.items()):
        seed = keys.derive_seed(ctx.config.sampling_seed, "variants", ctx.run.round_index, kind.value)
        for chunk in split(sources, ctx.options.teacher_chunk):
            out.append(
                VariantRequest(
                    problems=chunk,
                    kind=kind.value,
                    n=n,
                    k=teacher.k_variants,
                    min_agree=teacher.min_agree,
                    sampling=Sampling(temperature=teacher.temperature, seed=seed),
                    label=keys.usage_label(ctx.run.id, ctx.run.round_index),
                )
            )
    return out


def _accepted(run: RunSnapshot, new: NewProblem, digest: str, match: Match | None) -> tuple[Problem, list]:
    """The new problem with its lineage, and its agreeing programs as rationales (problem id unset)."""
    by_program = {s.program: s for s in new.samples if s.program}
    problem = Problem(
        run_id=run.id,
        external_id=f"r{run.round_index}-{new.kind}-{new.parent_id}-{new.index}",
        question=new.text,
        answer=float(new.answer),
        answer_source=AnswerSource.CONSENSUS,
        origin=Origin(new.kind),
        parent_id=int(new.parent_id),
        round_created=run.round_index,
        content_hash=digest,
        steps=new.steps,
        role=ProblemRole.TRAIN,
        leak_score=match.score if match else None,
        leak_match=match.problem_id if match else None,
        teacher_backend=new.backend,
        teacher_model=new.model,
        prompt_version=new.prompt_version,
        meta={"parent_steps": new.parent_steps, "variant_index": new.index},
    )
    rationales = []
    for program in dict.fromkeys(new.programs):
        sample = by_program.get(program)
        rationales.append(
            Rationale(
                program=program,
                program_hash=program_hash(program),
                answer=float(new.answer),
                correct=True,
                verdict="ok",
                backend=new.backend,
                model=new.model,
                prompt_version=new.prompt_version,
                prompt_tokens=sample.prompt_tokens if sample else 0,
                completion_tokens=sample.completion_tokens if sample else 0,
                cost_usd=sample.cost_usd if sample else 0.0,
                round_index=run.round_index,
            )
        )
    return problem, rationales


def _pool_hashes(session: Session, run_id: int, texts: list[str]) -> set[str]:
    digests = [keys.text_hash(t) for t in texts]
    return set(
        session.scalars(
            sa.select(Problem.content_hash).where(Problem.run_id == run_id, Problem.content_hash.in_(digests))
        )
    )


def record(
    session: Session, run: RunSnapshot, answered: list[tuple[VariantRequest, VariantResponse]], matches: dict
) -> None:
    """Store one step's new problems and rejections, close its work items and add its teacher cost."""
    items = {
        (w.problem_id, w.kind): w
        for w in session.scalars(
            sa.select(WorkItem).where(WorkItem.round_id == run.round_id, WorkItem.stage == Stage.GENERATE)
        )
    }
    texts = [p.text for _, response in answered for p in response.problems if p.text]
    seen = _pool_hashes(session, run.id, texts)
    threshold = run.config.leakage.threshold
    for request, response in answered:
        kind = WorkKind(request.kind)
        open_parents = {
            int(s.id) for s in request.problems if items[(int(s.id), kind)].status is WorkStatus.PENDING
        }
        for new in response.problems:
            if int(new.parent_id) not in open_parents:
                continue  # recorded by an earlier step (a replayed request)
            digest = keys.text_hash(new.text) if new.text else None
            match = matches.get(new.text) if new.text else None
            verdict = judge(new, digest, seen, match, threshold)
            if verdict.accepted:
                problem, rationales = _accepted(run, new, digest or "", match)
                session.add(problem)
                session.flush()
                for rationale in rationales:
                    rationale.problem_id = problem.id
                session.add_all(rationales)
            else:
                session.add(
                    Rejection(
                        run_id=run.id,
                        round_id=run.round_id,
                        parent_problem_id=int(new.parent_id),
                        kind=kind,
                        text=new.text or "",
                        reason=verdict.reason,
                        detail=(verdict.detail or "")[:2000] or None,
                        leak_score=match.score if match else None,
                    )
                )
        for parent in open_parents:
            items[(parent, kind)].status = WorkStatus.DONE
    cost = sum(response.usage.cost_usd for _, response in answered)
    session.execute(
        sa.update(Run).where(Run.id == run.id).values(teacher_cost_usd=Run.teacher_cost_usd + cost)
    )
    set_progress(session, run.round_id, "generate", work_counts(session, run.round_id, Stage.GENERATE))


def stop_for_budget(session: Session, run: RunSnapshot) -> bool:
    """When the teacher cost has reached the budget, fail the pending items (reason ``budget``)."""
    budget = run.config.budget_usd
    cost = session.scalar(sa.select(Run.teacher_cost_usd).where(Run.id == run.id)) or 0.0
    if budget is None or cost < budget:
        return False
    session.execute(
        sa.update(WorkItem)
        .where(WorkItem.round_id == run.round_id, WorkItem.stage == Stage.GENERATE)
        .where(WorkItem.status == WorkStatus.PENDING)
        .values(status=WorkStatus.FAILED, error=f"budget: teacher cost {cost:.4f} USD reached {budget} USD")
    )
    set_progress(session, run.round_id, "generate", work_counts(session, run.round_id, Stage.GENERATE))
    return True


async def step(ctx: StageContext) -> StepResult:
    """Plan (first call), then one batch of variant chunks; DONE when nothing is pending."""
    run, opts = ctx.run, ctx.options
    await ctx.db(ensure_work_items, run)
    if await ctx.db(stop_for_budget, run):
        return StepResult.DONE
    items = await ctx.db(pending, run, opts.teacher_chunk * opts.chunks_per_step)
    if not items:
        await ctx.db(
            lambda s: set_progress(s, run.round_id, "generate", work_counts(s, run.round_id, Stage.GENERATE))
        )
        return StepResult.DONE
    batch = requests(ctx, items)
    outcomes = await gather_bounded(ctx.teacher.variants, batch, opts.teacher_concurrency)
    answered = [
        (req, out) for req, out in zip(batch, outcomes, strict=True) if isinstance(out, VariantResponse)
    ]
    texts = sorted({p.text for _, r in answered for p in r.problems if p.text})
    found = await ctx.db(decontaminate.best_matches, ctx.config, texts)
    await ctx.db(record, run, answered, dict(zip(texts, found, strict=True)))
    error = first_error(outcomes)
    if error is not None:
        raise error
    return StepResult.MORE
