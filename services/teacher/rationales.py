"""``/v1/rationales``: k Program-of-Thought rationales per problem, executed and checked against gold.

Each sample keeps its raw text, extracted program, sandbox verdict and answer; ``correct`` compares the
answer with the problem's gold answer (``None`` without gold). The distinct correct programs are the
distillation examples. An upstream failure is reported on its problem, not on the whole request.
``answer_rationales`` serialises the response and keeps it for replay when it came wholly from the cache.
"""

from __future__ import annotations

from fdd.answers import answers_equal
from fdd.prompts import rationale_messages
from fdd.wire.teacher import ProblemIn, RationaleRequest, RationaleResponse, RationaleResult
from teacher.backends.base import BackendError
from teacher.core import Judged, Teacher, distinct_canonical
from teacher.execution import TRANSIENT_VERDICTS

ENDPOINT = "rationales"


async def write_rationales(teacher: Teacher, request: RationaleRequest) -> RationaleResponse:
    """Sample, execute and check k rationales for every problem of ``request``."""
    usage = teacher.sampler.usage_for(ENDPOINT, request.label)
    try:
        prompts = [rationale_messages(p.text) for p in request.problems]
        solved = await teacher.solve(prompts, request.k, request.sampling, usage)
    finally:
        await teacher.commit(usage)
    results = [_result(teacher, p, s) for p, s in zip(request.problems, solved, strict=True)]
    return RationaleResponse(results=results, usage=teacher.delta(usage))


async def answer_rationales(teacher: Teacher, request: RationaleRequest, body: bytes) -> bytes:
    """``write_rationales`` as JSON bytes; kept for replay by ``body`` when it needed no upstream call."""
    response = await write_rationales(teacher, request)
    content = response.__pydantic_serializer__.to_json(response)
    if _replayable(response):
        teacher.keep_replay(ENDPOINT, body, content, request.label, response.usage.cache_hits)
    return content


def _replayable(response: RationaleResponse) -> bool:
    """No upstream call or error, and no verdict that could differ next time (time-outs, memory)."""
    return response.usage.calls == 0 and all(
        result.error is None and all(s.verdict not in TRANSIENT_VERDICTS for s in result.samples)
        for result in response.results
    )


def is_correct(judged: Judged, gold: float | None) -> bool | None:
    """Whether a sample's answer equals ``gold`` (``None`` when there is no gold to compare with)."""
    if gold is None:
        return None
    return judged.verdict.answer is not None and answers_equal(judged.verdict.answer, gold)


def _result(teacher: Teacher, problem: ProblemIn, solved: list[Judged] | BackendError) -> RationaleResult:
    meta = teacher.meta().model_dump()
    if isinstance(solved, BackendError):
        return RationaleResult(**meta, id=problem.id, samples=[], correct_programs=[], error=str(solved))
    samples = [j.to_sample(is_correct(j, problem.gold)) for j in solved]
    correct = [
        j.verdict.program for j, s in zip(solved, samples, strict=True) if s.correct and j.verdict.program
    ]
    return RationaleResult(
        **meta, id=problem.id, samples=samples, correct_programs=distinct_canonical(correct)
    )
