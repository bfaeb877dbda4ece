"""``/v1/variants``: new problems (harder or similar) from source problems, each verified by consensus.

For every source problem the teacher writes ``n`` new problems. Each is rejected when the completion holds
no problem (``malformed``), when the teacher declined, when it repeats its parent or an earlier new
problem; the rest are solved ``k`` times independently and kept only if at least ``min_agree`` executed
answers agree and form a strict majority of the ``k`` — that answer becomes the problem's answer.
A ``complex`` variant must also need more steps than its parent: the fewest steps among its agreeing
programs against the parent's program (or, without one, the parent's own solved programs).
"""

from __future__ import annotations

from dataclasses import dataclass

from fdd.answers import answers_equal
from fdd.prompts import Task, parse_decline, parse_problem, rationale_messages, variant_messages
from fdd.wire.teacher import NewProblem, VariantRequest, VariantResponse, VariantSource
from fdd_web.errors import ServiceError
from teacher.backends.base import BackendError
from teacher.core import Judged, Teacher, distinct_canonical
from teacher.execution import program_steps
from teacher.rationales import is_correct


@dataclass
class Consensus:
    answer: float | None
    programs: list[str]
    steps: int | None


def consensus(solutions: list[Judged], min_agree: int) -> Consensus | None:
    """The agreed answer of ``solutions``: ≥ ``min_agree`` equal answers forming a strict majority."""
    groups: list[list[Judged]] = []
    for judged in solutions:
        if judged.verdict.answer is None:
            continue
        for group in groups:
            if answers_equal(group[0].verdict.answer, judged.verdict.answer):
                group.append(judged)
                break
        else:
            groups.append([judged])
    best = max(groups, key=len, default=[])
    if len(best) < min_agree or 2 * len(best) <= len(solutions):
        return None
    programs = [j.verdict.program for j in best if j.verdict.program]
    return Consensus(best[0].verdict.answer, distinct_canonical(programs), fewest_steps(programs))


def fewest_steps(programs: list[str]) -> int | None:
    return min((program_steps(program) for program in programs), default=None)


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


async def write_variants(teacher: Teacher, request: VariantRequest) -> VariantResponse:
    """Generate, screen, solve and verify ``n`` new problems per source problem."""
    if request.min_agree > request.k:
        raise ServiceError(
            f"min_agree: must be at most k ({request.k})", code="validation_error", status_code=422
        )
    usage = teacher.sampler.usage_for("variants", request.label)
    try:
        problems = await _generate(teacher, request, usage)
        await _verify(teacher, request, problems, usage)
    finally:
        await teacher.commit(usage)
    return VariantResponse(problems=problems, usage=teacher.delta(usage))


async def _generate(teacher: Teacher, request: VariantRequest, usage) -> list[NewProblem]:
    prompts = [variant_messages(Task(request.kind), p.text) for p in request.problems]
    drawn = await teacher.draw_many(prompts, request.n, request.sampling, usage)
    meta = teacher.meta().model_dump()
    seen: set[str] = set()
    problems: list[NewProblem] = []
    for source, group in zip(request.problems, drawn, strict=True):
        for index in range(request.n):
            problem = NewProblem(
                **meta, parent_id=source.id, kind=request.kind, index=index, text=None, accepted=False
            )
            if isinstance(group, BackendError):
                problem.reason, problem.detail = "upstream_error", str(group)
            else:
                _screen(problem, source, group[index].completion.text, seen)
            problems.append(problem)
    return problems


def _screen(problem: NewProblem, source: VariantSource, completion: str, seen: set[str]) -> None:
    """Set the new problem's text, or the reason it is rejected before being solved."""
    text = parse_problem(completion)
    declined = parse_decline(completion)
    if text is None:
        problem.reason = "declined" if declined is not None else "malformed"
        problem.detail = declined or "the completion holds no <problem> block"
        return
    problem.text = text
    if _normal(text) == _normal(source.text):
        problem.reason, problem.detail = "same_as_parent", "the new problem repeats its parent"
    elif _normal(text) in seen:
        problem.reason, problem.detail = "duplicate", "the same new problem was written twice"
    seen.add(_normal(text))


async def _verify(teacher: Teacher, request: VariantRequest, problems: list[NewProblem], usage) -> None:
    candidates = [p for p in problems if p.reason is None and p.text is not None]
    parents = {p.id: p for p in request.problems}
    unsolved_parents = []
    if request.kind == "complex":
        used = {c.parent_id for c in candidates}
        unsolved_parents = [parents[i] for i in used if parents[i].program is None]
    prompts = [rationale_messages(c.text or "") for c in candidates]
    prompts += [rationale_messages(p.text) for p in unsolved_parents]
    solved = await teacher.solve(prompts, request.k, request.sampling, usage)
    parent_steps = {p.id: fewest_steps([p.program]) for p in request.problems if p.program is not None}
    for parent, solutions in zip(unsolved_parents, solved[len(candidates) :], strict=True):
        parent_steps[parent.id] = _solved_steps(parent, solutions, request.min_agree)
    for problem, solutions in zip(candidates, solved[: len(candidates)], strict=True):
        _decide(problem, solutions, request, parent_steps.get(problem.parent_id))


def _solved_steps(
    parent: VariantSource, solutions: list[Judged] | BackendError, min_agree: int
) -> int | None:
    """Steps of the parent from its own solutions: those matching its answer, else their consensus."""
    if isinstance(solutions, BackendError):
        return None
    if parent.answer is not None:
        programs = [
            j.verdict.program for j in solutions if is_correct(j, parent.answer) and j.verdict.program
        ]
        return fewest_steps(programs)
    agreed = consensus(solutions, min_agree)
    return None if agreed is None else agreed.steps


def _decide(
    problem: NewProblem,
    solutions: list[Judged] | BackendError,
    request: VariantRequest,
    parent_steps: int | None,
) -> None:
    if isinstance(solutions, BackendError):
        problem.reason, problem.detail = "upstream_error", str(solutions)
        return
    agreed = consensus(solutions, request.min_agree)
    answer = None if agreed is None else agreed.answer
    problem.samples = [j.to_sample(is_correct(j, answer)) for j in solutions]
    problem.parent_steps = parent_steps
    if agreed is None:
        answers = [j.verdict.answer for j in solutions]
        problem.reason, problem.detail = (
            "no_consensus",
            f"answers {answers} (need {request.min_agree} of {request.k})",
        )
        return
    problem.answer, problem.programs, problem.steps = agreed.answer, agreed.programs, agreed.steps
    if request.kind == "complex" and (
        parent_steps is None or agreed.steps is None or agreed.steps <= parent_steps
    ):
        problem.reason = "not_more_complex"
        problem.detail = (
            "the parent's steps are unknown (no program and no agreed solution)"
            if parent_steps is None
            else f"{agreed.steps} steps, parent has {parent_steps}"
        )
        return
    problem.accepted = True
