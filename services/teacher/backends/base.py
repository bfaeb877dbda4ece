"""The one interface every teacher backend implements.

A backend turns chat messages into ``n`` completions and reports the tokens it used. It knows nothing
about prompts, caching, verification or cost: those belong to the teacher service around it.

Text from an upstream model is untrusted. A NUL character (U+0000), which some models emit, is refused by
Postgres in a text column (the teacher's cache, the orchestrator's problems and rationales), so every
``Completion`` and ``BackendError`` drops it when built: this is where a backend's text enters, before
anything stores it or sends it on. Dropping it (rather than refusing the sample) keeps the completion
whole; what is kept is then parsed, executed and verified as usual.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass

from fdd.prompts import Task, decline, parse_request


def without_nul(text: str) -> str:
    """``text`` less its NUL characters."""
    return text.replace("\x00", "")


@dataclass(frozen=True)
class Completion:
    """One sampled answer of the upstream model."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str = "stop"

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", without_nul(self.text))


def count_words(text: str) -> int:
    """The offline backends' token count: words separated by whitespace."""
    return len(text.split())


def prompt_words(messages: list[dict[str, str]]) -> int:
    """The prompt tokens an offline backend reports for ``messages``: their words."""
    return sum(count_words(m.get("content", "")) for m in messages)


def word_completion(text: str, prompt_tokens: int, max_tokens: int) -> Completion:
    """``text`` as an offline backend's completion, counted in words and, as an LLM would be, cut after
    ``max_tokens`` of them (finish reason ``length``)."""
    words = list(re.finditer(r"\S+", text))
    if len(words) <= max_tokens:
        return Completion(text, prompt_tokens, len(words), "stop")
    cut = text[: words[max_tokens - 1].end()] if max_tokens > 0 else ""
    return Completion(cut, prompt_tokens, count_words(cut), "length")


class BackendError(Exception):
    """The backend could not produce completions (after its own retries)."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(without_nul(message))  # servers quote what they refuse
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


class ScriptedBackend(TeacherBackend):
    """An offline teacher that reads its task and problem back from a request built by ``fdd.prompts`` and
    writes its answers itself (the synthetic curriculum teacher, the GSM8K oracle): a request it cannot
    read is declined, and every answer is a completion counted in words."""

    @abstractmethod
    async def answers(self, task: Task, text: str, n: int, seed: int | None) -> list[str]:
        """``n`` answers (rationales, new problems or refusals) to ``task`` on ``text``."""

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
        """``n`` answers to a request built by ``fdd.prompts`` (a refusal for anything else)."""
        try:
            task, text = parse_request(messages)
        except ValueError as exc:
            answers = [decline(f"not a request I understand: {exc}")] * n
        else:
            answers = await self.answers(task, text, n, seed)
        prompt_tokens = prompt_words(messages)
        return [word_completion(answer, prompt_tokens, max_tokens) for answer in answers]
