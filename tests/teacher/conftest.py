"""Fixtures of the teacher's tests: the anyio backend and one fake upstream server per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtures.fake_llm import FakeLLM


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def _fake_server() -> Iterator[FakeLLM]:
    fake = FakeLLM().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_llm(_fake_server: FakeLLM) -> FakeLLM:
    """The fake upstream, with fresh counters and no scripted faults."""
    _fake_server.reset()
    return _fake_server
