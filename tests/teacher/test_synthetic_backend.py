"""The synthetic teacher backend: rationales, variants and refusals written from the problem text."""

from __future__ import annotations

import asyncio
import json
import random

import pytest

from fdd.curriculum import generate, parse
from fdd.programs import execute_many, extract
from fdd.prompts import Task, parse_decline, parse_problem, rationale_messages, variant_messages
from teacher.backends.base import TeacherBackend
from teacher.backends.synthetic import SyntheticBackend
from tests.fixtures.data import DATA_DIR

pytestmark = pytest.mark.anyio
GSM8K_TEST = DATA_DIR / "gsm8k" / "test.jsonl"
OPTS = {"temperature": 0.8, "top_p": 0.95, "max_tokens": 512}


def _problems(count: int, steps: int = 3):
    return [generate(random.Random(seed), 1 + seed % steps) for seed in range(count)]


async def _rationales(backend, problems, k: int, seed: int = 0):
    return [await backend.complete(rationale_messages(p.text), k, seed=seed, **OPTS) for p in problems]


async def test_k_rationales_are_distinct_programs_with_the_gold_answer() -> None:
    backend = SyntheticBackend(error_rate=0.0, seed=1)
    problems = _problems(20)
    answers = await _rationales(backend, problems, k=4)
    programs = [extract(c.text) for completions in answers for c in completions]
    results = execute_many(programs)
    golds = [p.answer for p in problems for _ in range(4)]
    assert [r.value for r in results] == golds
    for completions in answers:
        assert len({c.text for c in completions}) == 4


async def test_same_request_and_seed_give_the_same_samples_and_another_seed_others() -> None:
    backend = SyntheticBackend(error_rate=0.3, seed=2)
    messages = rationale_messages(_problems(1)[0].text)
    first = await backend.complete(messages, 3, seed=7, **OPTS)
    again = await SyntheticBackend(error_rate=0.3, seed=2).complete(messages, 3, seed=7, **OPTS)
    other = await backend.complete(messages, 3, seed=8, **OPTS)
    assert first == again
    assert [c.text for c in first] != [c.text for c in other]


async def test_error_rate_makes_that_share_of_rationales_wrong() -> None:
    backend = SyntheticBackend(error_rate=0.5, seed=3)
    problems = _problems(40)
    answers = await _rationales(backend, problems, k=4)
    results = execute_many([extract(c.text) for completions in answers for c in completions])
    golds = [p.answer for p in problems for _ in range(4)]
    wrong = sum(r.value != gold for r, gold in zip(results, golds, strict=True))
    assert 0.3 < wrong / len(golds) < 0.65
    assert all(extract(c.text) for completions in answers for c in completions)


async def test_complex_variant_extends_the_problem_and_similar_keeps_its_steps() -> None:
    backend = SyntheticBackend(seed=4)
    for original in _problems(10, steps=5):
        harder = await backend.complete(variant_messages(Task.COMPLEX, original.text), 2, seed=1, **OPTS)
        alike = await backend.complete(variant_messages(Task.SIMILAR, original.text), 2, seed=1, **OPTS)
        for completion in harder:
            assert parse(parse_problem(completion.text)).steps > original.steps
        for completion in alike:
            text = parse_problem(completion.text)
            assert text != original.text
            assert parse(text).steps == original.steps
        assert harder[0].text != harder[1].text


async def test_gsm8k_problems_are_declined_without_a_program() -> None:
    backend = SyntheticBackend(seed=5)
    rows = [json.loads(line) for line in GSM8K_TEST.read_text().splitlines()[:30]]
    for row in rows:
        for messages in (
            rationale_messages(row["question"]),
            variant_messages(Task.SIMILAR, row["question"]),
        ):
            completions = await backend.complete(messages, 2, seed=None, **OPTS)
            assert len(completions) == 2
            for completion in completions:
                assert extract(completion.text) is None
                assert parse_problem(completion.text) is None
                assert "cannot read" in parse_decline(completion.text)


async def test_messages_that_are_not_ours_are_declined() -> None:
    backend = SyntheticBackend()
    completions = await backend.complete([{"role": "user", "content": "hello"}], 1, seed=None, **OPTS)
    assert parse_decline(completions[0].text)


async def test_tokens_are_counted_in_words_and_long_answers_are_cut() -> None:
    backend = SyntheticBackend(error_rate=0.0)
    messages = rationale_messages(_problems(3)[2].text)
    full = (await backend.complete(messages, 1, seed=0, **OPTS))[0]
    assert full.prompt_tokens == sum(len(m["content"].split()) for m in messages)
    assert full.completion_tokens == len(full.text.split())
    assert full.finish_reason == "stop"
    cut = (await backend.complete(messages, 1, seed=0, temperature=0.8, top_p=1.0, max_tokens=4))[0]
    assert cut.finish_reason == "length"
    assert cut.completion_tokens == 4


def test_is_a_teacher_backend_with_its_name_and_model() -> None:
    backend = SyntheticBackend()
    assert isinstance(backend, TeacherBackend)
    assert (backend.name, backend.model) == ("synthetic", "fdd-curriculum-v1")
    with pytest.raises(ValueError, match="error_rate"):
        SyntheticBackend(error_rate=1.5)


async def test_teacher_service_runs_on_the_synthetic_backend(tmp_path) -> None:
    from teacher.settings import TeacherSettings
    from tests.teacher.harness import running_teacher, sqlite_url

    settings = TeacherSettings(
        backend="synthetic", synthetic_error_rate=0.25, database_url=sqlite_url(tmp_path), exec_workers=1
    )
    problems = _problems(6)
    async with running_teacher(settings) as client:
        body = {
            "problems": [{"id": f"p{i}", "text": p.text, "gold": p.answer} for i, p in enumerate(problems)],
            "k": 4,
            "sampling": {"seed": 1},
        }
        rationales = (await client.post("/v1/rationales", json=body)).json()
        variants = await client.post(
            "/v1/variants",
            json={"problems": [{"id": "p0", "text": problems[0].text}], "kind": "complex", "n": 2, "k": 4},
        )
    results = rationales["results"]
    assert {r["backend"] for r in results} == {"synthetic"}
    assert all(r["correct_programs"] for r in results)
    verdicts = [s["correct"] for r in results for s in r["samples"]]
    assert 0 < verdicts.count(False) < len(verdicts) // 2 + 1
    accepted = [p for p in variants.json()["problems"] if p["accepted"]]
    assert accepted
    assert all(parse(p["text"]).answer == p["answer"] for p in accepted)


async def test_writing_in_processes_gives_the_same_samples_as_writing_in_the_loop() -> None:
    """With ``processes`` the calls of one event-loop turn are written in a pool process, as a remote model
    computes elsewhere: the same completions as written in the loop."""
    import os

    problems = _problems(24)
    prompts = [rationale_messages(p.text) for p in problems[:12]]
    prompts += [variant_messages(Task.COMPLEX, p.text) for p in problems[12:]]
    inline = SyntheticBackend(error_rate=0.2, seed=9)
    pooled = SyntheticBackend(error_rate=0.2, seed=9, processes=1)
    try:
        expected = [await inline.complete(m, 3, seed=4, **OPTS) for m in prompts]
        got = await asyncio.gather(*(pooled.complete(m, 3, seed=4, **OPTS) for m in prompts))
        assert list(got) == expected
        pids = {p.pid for p in pooled._pool._processes.values()}  # type: ignore[union-attr]
        assert pids
        assert os.getpid() not in pids
    finally:
        await pooled.aclose()
    assert pooled._pool is None


async def test_a_dead_writing_process_fails_its_calls_as_retryable_and_the_next_call_gets_a_new_pool() -> (
    None
):
    from teacher.backends.base import BackendError

    backend = SyntheticBackend(seed=1, processes=1)
    messages = rationale_messages(_problems(1)[0].text)
    try:
        first = await backend.complete(messages, 2, seed=1, **OPTS)
        for process in backend._pool._processes.values():  # type: ignore[union-attr]
            process.kill()
        with pytest.raises(BackendError) as failed:
            await backend.complete(messages, 2, seed=2, **OPTS)
        assert failed.value.retryable
        assert await backend.complete(messages, 2, seed=1, **OPTS) == first
    finally:
        await backend.aclose()


def test_processes_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="processes"):
        SyntheticBackend(processes=-1)


async def test_a_cancelled_write_fails_its_calls_as_retryable() -> None:
    from teacher.backends.base import BackendError

    backend = SyntheticBackend(processes=1)
    loop = asyncio.get_running_loop()
    call, write = loop.create_future(), loop.create_future()
    write.cancel()  # as the pool's shutdown cancels a write not yet started
    backend._deliver(None, [((Task.RATIONALE, "text", 1, 0), call)], write)  # type: ignore[arg-type]
    with pytest.raises(BackendError) as failed:
        await call
    assert failed.value.retryable


async def test_a_late_failure_of_an_old_pool_keeps_the_new_one() -> None:
    from concurrent.futures import ThreadPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from teacher.backends.base import BackendError

    backend = SyntheticBackend(processes=1)
    old, new = ThreadPoolExecutor(1), ThreadPoolExecutor(1)
    backend._pool = new  # a later turn already replaced the broken pool
    loop = asyncio.get_running_loop()
    call, write = loop.create_future(), loop.create_future()
    write.set_exception(BrokenProcessPool("a worker died"))
    backend._deliver(old, [((Task.RATIONALE, "text", 1, 0), call)], write)
    with pytest.raises(BackendError):
        await call
    assert backend._pool is new
    new.shutdown()
    old.shutdown()
