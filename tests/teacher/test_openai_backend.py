"""The ``openai`` backend against a real local HTTP server that misbehaves on purpose."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from fdd.prompts import rationale_messages
from teacher.backends.base import BackendError
from teacher.backends.openai import OpenAIBackend, parse_retry_after
from tests.fixtures.fake_llm import FakeLLM, solve_program

pytestmark = pytest.mark.anyio
MESSAGES = rationale_messages("Add 3, 4 and 5.")
PARAMS = {"temperature": 0.7, "top_p": 1.0, "max_tokens": 256, "seed": None}


def backend(fake: FakeLLM, **overrides: object) -> OpenAIBackend:
    options = {"timeout_s": 5.0, "backoff_max_s": 0.05, "max_attempts": 6, **overrides}
    return OpenAIBackend(fake.url, "fake-model", SecretStr("sk-secret"), **options)  # type: ignore[arg-type]


async def test_transient_faults_are_retried_until_a_good_answer(fake_llm: FakeLLM) -> None:
    fake_llm.reset(["429", "500", "slow", "malformed"], slow_s=2.0)
    b = backend(fake_llm, timeout_s=1.0)
    completions = await b.complete(MESSAGES, 3, **PARAMS)
    await b.aclose()
    assert [solve_program("Add 3, 4 and 5.") in c.text for c in completions] == [True] * 3
    assert fake_llm.state.calls == 5
    assert fake_llm.state.ok_calls == 1
    assert sum(c.prompt_tokens for c in completions) == 100
    assert sum(c.completion_tokens for c in completions) == 60


async def test_server_ignoring_n_gets_one_call_per_missing_choice(fake_llm: FakeLLM) -> None:
    fake_llm.reset(ignore_n=True)
    b = backend(fake_llm)
    completions = await b.complete(MESSAGES, 4, **PARAMS)
    completions += await b.complete(MESSAGES, 2, **PARAMS)
    await b.aclose()
    assert len(completions) == 6
    assert fake_llm.state.ok_calls == 6
    assert [body.get("n", 1) for body in fake_llm.state.bodies[4:]] == [1, 1]  # learnt: no more n


async def test_retry_after_is_honoured(fake_llm: FakeLLM) -> None:
    fake_llm.reset(["429"], retry_after="1")
    b = backend(fake_llm, backoff_max_s=5.0)
    await b.complete(MESSAGES, 1, **PARAMS)
    await b.aclose()
    first, second = fake_llm.state.arrivals
    assert second - first >= 0.9  # a lower bound: the wait asked for, never a speed expectation


async def test_persistent_failure_raises_a_backend_error(fake_llm: FakeLLM) -> None:
    fake_llm.reset(["500"] * 3)
    b = backend(fake_llm, max_attempts=3)
    with pytest.raises(BackendError, match="after 3 attempts: HTTP 500") as info:
        await b.complete(MESSAGES, 1, **PARAMS)
    await b.aclose()
    assert info.value.retryable
    assert "sk-secret" not in str(info.value)


async def test_seed_and_sampling_parameters_are_sent(fake_llm: FakeLLM) -> None:
    b = backend(fake_llm)
    await b.complete(MESSAGES, 2, temperature=0.3, top_p=0.9, max_tokens=100, seed=41)
    await b.aclose()
    body = fake_llm.state.bodies[0]
    assert (
        body["model"],
        body["n"],
        body["seed"],
        body["temperature"],
        body["top_p"],
        body["max_tokens"],
    ) == (
        "fake-model",
        2,
        41,
        0.3,
        0.9,
        100,
    )
    assert fake_llm.state.auth_headers == ["Bearer sk-secret"]


async def test_unreachable_server_is_a_retryable_error() -> None:
    b = OpenAIBackend("http://127.0.0.1:9/v1", "m", None, timeout_s=0.5, backoff_max_s=0.01, max_attempts=2)
    with pytest.raises(BackendError, match="connection failed"):
        await b.complete(MESSAGES, 1, **PARAMS)
    await b.aclose()


def test_retry_after_accepts_seconds_and_dates() -> None:
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
