"""The one interface every teacher backend implements.

A backend turns chat messages into ``n`` completions and reports the tokens it used. It knows nothing
about prompts, caching, verification or cost: those belong to the teacher service around it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass


@dataclass(frozen=True)
class Completion:
    """One sampled answer of the upstream model."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str = "stop"


class BackendError(Exception):
    """The backend could not produce completions (after its own retries)."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


class TeacherBackend(ABC):
    """A source of completions: an OpenAI-compatible server, or the offline synthetic teacher."""

    name: str
    model: str

    @abstractmethod
    async def complete(
        self,
        messages: list[dict[str, str]],
        n: int,
        *,
        temperature: float,
        top_p: float,
        max_tokens: int,
        seed: int | None,
    ) -> list[Completion]:
        """Return exactly ``n`` completions of ``messages`` (raise ``BackendError`` otherwise)."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook, most backends hold nothing
        """Release connections and other resources."""
