"""GENERATE: the teacher writes new problems from the round's labels; the accepted ones join the pool.

First step: the plan (``variant_plan.plan_variants``: complex variants of easy problems, similar problems
for hard ones, or an ablation mode) becomes one work item per (parent, kind). Later steps
(``teacher_stage``) send pending items to ``POST /v1/variants`` in chunks (grouped by kind and count,
sampling seed derived from config, round and kind so that a replay is served from the teacher's cache),
then judge every new problem — the teacher's verdict, a duplicate of the pool (text hash), a benchmark
look-alike (leakage score at or above the threshold) — and record the step in one commit: accepted
problems with their lineage and agreeing programs as rationales, rejections with the reason, the work
items done. Once the teacher cost reaches the budget, the remaining items fail with reason ``budget``.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from typing import Any

from sqlalchemy.orm import Session

from fdd.leakage import Match
from fdd.wire.teacher import NewProblem, Sampling, VariantRequest, VariantResponse, VariantSource
from orchestrator.enums import AnswerSource, Origin, ProblemRole, WorkKind, WorkStatus
from orchestrator.problems import repository as problems_repo
from orchestrator.problems import service as problems
from orchestrator.runs.schemas import RunConfig
from orchestrator.runs.state import Stage

from .. import decontaminate, keys, rounds, teacher_stage, work_items
from ..chunks import split
from ..context import RunSnapshot, StageContext, StepResult
from ..variant_plan import Labelled, PlannedItem, Verdict, judge, plan_variants
from . import evaluate

Answered = list[tuple[VariantRequest, VariantResponse]]


def plan(session: Session, run: RunSnapshot) -> dict[tuple[int, WorkKind], int]:
    """The round's plan as {(parent id, kind): n} (a pure function of the round's labels)."""
    rows = problems_repo.round_labels(session, run.round_id)
    labelled = [Labelled(pid, label, origin is Origin.SEED) for pid, label, origin in rows]
    teacher = run.config.teacher
    seed = keys.derive_seed(run.config.sampling_seed, "random-plan", run.round_index)
    items = plan_variants(labelled, run.config.feedback, teacher.n_complex, teacher.n_similar, seed)
    return {(item.problem_id, item.kind): item.n for item in items}


def ensure_work_items(session: Session, run: RunSnapshot) -> None:
    """Create the round's work items from the plan, once."""
    if not work_items.exist(session, run.round_id, Stage.GENERATE):
        work_items.add(session, run, Stage.GENERATE, plan(session, run))


def stop_for_budget(session: Session, run: RunSnapshot) -> bool:
    """When the teacher cost has reached the budget, fail the pending items (reason ``budget``)."""
    budget = run.config.budget_usd
    cost = rounds.teacher_cost(session, run.id)
    if budget is None or cost < budget:
        return False
    error = f"budget: teacher cost {cost:.4f} USD reached {budget} USD"
    work_items.fail_pending(session, run.round_id, Stage.GENERATE, error)
    work_items.record_progress(session, run.round_id, Stage.GENERATE)
    return True


# The plan by (database, run, round): GENERATE asks for it at every step, and it is fixed once CLASSIFY
# has labelled the round (reading all the round's labels at each step made a round quadratic in its size).
_PLANS: OrderedDict[tuple[str, int, int], dict[tuple[int, WorkKind], int]] = OrderedDict()
_PLANS_KEPT = 8


def planned(session: Session, run: RunSnapshot) -> dict[tuple[int, WorkKind], int]:
    """``plan`` of the run's round, computed once per round and process."""
    key = (str(session.get_bind().engine.url), run.id, run.round_id)
    if (counts := _PLANS.get(key)) is None:
        counts = _PLANS[key] = plan(session, run)
        while len(_PLANS) > _PLANS_KEPT:
            _PLANS.popitem(last=False)
    return counts


def pending(session: Session, run: RunSnapshot, limit: int) -> list[tuple[PlannedItem, VariantSource]]:
    """The next pending items with their parent as the teacher sees it (text, a program, the answer)."""
    counts = planned(session, run)
    rows = work_items.pending(session, run.round_id, Stage.GENERATE, limit)
    programs = problems_repo.first_correct_programs(session, [r.problem_id for r in rows])
    return [
        (
            PlannedItem(r.problem_id, r.kind, counts.get((r.problem_id, r.kind), 1)),
            VariantSource(
                id=str(r.problem_id), text=r.question, program=programs.get(r.problem_id), answer=r.answer
            ),
        )
        for r in rows
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
        out += [
            VariantRequest(
                problems=chunk,
                kind=kind.value,
                n=n,
                k=teacher.k_variants,
                min_agree=teacher.min_agree,
                sampling=Sampling(temperature=teacher.temperature, seed=seed),
                label=keys.usage_label(ctx.run.id, ctx.run.round_index),
            )
            for chunk in split(sources, ctx.options.teacher_chunk)
        ]
    return out


def benchmark_matches(session: Session, config: RunConfig, answered: Answered) -> dict[str, Match | None]:
    """The best benchmark match of every new text of the step."""
    texts = sorted({p.text for _, response in answered for p in response.problems if p.text})
    return dict(zip(texts, decontaminate.best_matches(session, config, texts), strict=True))


def problem_row(run: RunSnapshot, new: NewProblem, digest: str, match: Match | None) -> dict[str, Any]:
    """The accepted new problem as a pool row, with its lineage."""
    assert new.answer is not None  # ``judge`` accepts no problem without a text and an answer
    return {
        "run_id": run.id, "external_id": f"r{run.round_index}-{new.kind}-{new.parent_id}-{new.index}",
        "question": new.text, "answer": float(new.answer), "answer_source": AnswerSource.CONSENSUS,
        "origin": Origin(new.kind), "parent_id": int(new.parent_id), "round_created": run.round_index,
        "content_hash": digest, "steps": new.steps, "role": ProblemRole.TRAIN,
        "leak_score": match.score if match else None, "leak_match": match.problem_id if match else None,
        "teacher_backend": new.backend, "teacher_model": new.model, "prompt_version": new.prompt_version,
        "meta": {"parent_steps": new.parent_steps, "variant_index": new.index},
    }  # fmt: skip


def rejection_row(
    run: RunSnapshot, new: NewProblem, kind: WorkKind, verdict: Verdict, match: Match | None
) -> dict[str, Any]:
    """The rejected new problem with the reason, as a row of the run's rejections."""
    return {
        "run_id": run.id, "round_id": run.round_id, "parent_problem_id": int(new.parent_id), "kind": kind,
        "text": new.text or "", "reason": verdict.reason, "detail": (verdict.detail or "")[:2000] or None,
        "leak_score": match.score if match else None,
    }  # fmt: skip


def record(session: Session, run: RunSnapshot, answered: Answered, matches: dict[str, Match | None]) -> None:
    """Store one step's new problems (with their rationales) and rejections; close its work items."""
    parents = (int(s.id) for request, _ in answered for s in request.problems)
    items = work_items.by_key(session, run.round_id, Stage.GENERATE, parents)
    digests = [keys.text_hash(p.text) for _, response in answered for p in response.problems if p.text]
    seen = set(problems_repo.ids_by_hash(session, run.id, digests))
    threshold = run.config.leakage.threshold
    accepted: list[tuple[NewProblem, dict[str, Any]]] = []
    rejected: list[dict[str, Any]] = []
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
                accepted.append((new, problem_row(run, new, digest or "", match)))
            else:
                rejected.append(rejection_row(run, new, kind, verdict, match))
        for parent in open_parents:
            items[(parent, kind)].status = WorkStatus.DONE
    ids = problems.add_problems(session, run.id, [row for _, row in accepted])
    problems.add_rationales(
        session,
        (
            rationale
            for (new, row), pid in zip(accepted, ids, strict=True)
            for rationale in problems.rationale_rows(pid, new, new.programs, row["answer"], run.round_index)
        ),
    )
    problems_repo.insert_rejections(session, rejected)


STAGE = teacher_stage.TeacherStage(
    stage=Stage.GENERATE,
    prepare=ensure_work_items,
    finished=stop_for_budget,
    pending=pending,
    requests=requests,
    send=lambda teacher: teacher.variants,
    look_up=benchmark_matches,
    record=record,
)


async def step(ctx: StageContext) -> StepResult:
    """Plan (first call), then one batch of variant chunks; DONE when nothing is pending. In a run that
    evaluates beside the teacher, the first call sends the round's first evaluate job before planning
    (``evaluate.send``; should the orchestrator stop between the two, EVALUATE sends it itself)."""
    if ctx.beside and not await ctx.db(work_items.exist, ctx.run.round_id, Stage.GENERATE):
        await evaluate.send(ctx)  # the first call: the student evaluates while the teacher writes
    return await teacher_stage.step(ctx, STAGE)
