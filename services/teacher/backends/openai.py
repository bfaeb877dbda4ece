"""The ``openai`` backend: any OpenAI-compatible chat-completions server (OpenAI, vLLM, Ollama, llama.cpp).

It owns the upstream HTTP conversation: one pooled ``httpx.AsyncClient``, a concurrency limit, retries
with exponential backoff and jitter on 429/5xx/timeouts/garbled bodies (honouring ``Retry-After``), ``n``
sampling with a fallback to repeated calls for servers that return fewer choices, and token counts from
the responses. The API key is sent as a header and kept nowhere else: never logged, never in an error.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from typing import Any

import httpx
from pydantic import SecretStr
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_random_exponential

from teacher.backends.base import BackendError, Completion, TeacherBackend


class _Retryable(Exception):
    """A transient upstream failure; ``retry_after`` is the server's requested wait, if it gave one."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date); ``None`` if absent."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value.strip() else None
        return None if parsed is None else max(0.0, parsed.timestamp() - time.time())


class OpenAIBackend(TeacherBackend):
    """Completions from an OpenAI-compatible ``/chat/completions`` endpoint."""

    name = "openai"

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: SecretStr | None = None,
        *,
        timeout_s: float = 60.0,
        max_concurrency: int = 16,
        max_attempts: int = 6,
        backoff_max_s: float = 30.0,
        send_n: bool = True,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.model = model
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._secret = api_key.get_secret_value() if api_key else ""
        self._headers = {"Authorization": f"Bearer {self._secret}"} if self._secret else {}
        self._timeout = httpx.Timeout(timeout_s)
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._max_attempts = max_attempts
        self._backoff = wait_random_exponential(multiplier=0.25, max=backoff_max_s)
        self._backoff_max = backoff_max_s
        self._honours_n = send_n
        limits = httpx.Limits(max_connections=max_concurrency, max_keepalive_connections=max_concurrency)
        self._client = client or httpx.AsyncClient(limits=limits)
        self._owns_client = client is None

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
        params = {"temperature": temperature, "top_p": top_p, "max_tokens": max_tokens}
        results: list[Completion] = []
        while len(results) < n:
            remaining = n - len(results)
            call_seed = None if seed is None else seed + len(results)
            if self._honours_n or remaining == 1:
                batch = await self._call(messages, remaining, params, call_seed)
            else:  # the server ignores n: ask for one choice per call, all at once
                seeds = [None if seed is None else seed + len(results) + i for i in range(remaining)]
                batches = await asyncio.gather(*(self._call(messages, 1, params, s) for s in seeds))
                batch = [c for b in batches for c in b]
            if len(batch) < remaining:
                self._honours_n = False
            results.extend(batch[:remaining])
        return results

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def _call(
        self, messages: list[dict[str, str]], n: int, params: dict[str, Any], seed: int | None
    ) -> list[Completion]:
        body: dict[str, Any] = {"model": self.model, "messages": messages, **params}
        if n > 1:
            body["n"] = n
        if seed is not None:
            body["seed"] = seed
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(_Retryable),
            stop=stop_after_attempt(self._max_attempts),
            wait=self._wait,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._attempt(body)
        except _Retryable as exc:
            raise BackendError(
                f"upstream failed after {self._max_attempts} attempts: {exc}", retryable=True
            ) from None
        raise BackendError("upstream gave no answer")  # unreachable: the loop returns or raises

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retryable) and exc.retry_after is not None:
            return min(exc.retry_after, self._backoff_max)
        return self._backoff(state)

    async def _attempt(self, body: dict[str, Any]) -> list[Completion]:
        async with self._semaphore:
            try:
                response = await self._client.post(
                    self._url, json=body, headers=self._headers, timeout=self._timeout
                )
            except httpx.TimeoutException:
                raise _Retryable("timed out") from None
            except httpx.TransportError as exc:
                raise _Retryable(f"connection failed: {type(exc).__name__}") from None
        status = response.status_code
        if status == 429 or status >= 500:
            raise _Retryable(f"HTTP {status}", parse_retry_after(response.headers.get("retry-after")))
        if status >= 400:
            message = _upstream_message(response)
            if self._secret:  # some servers echo the key they refused: never let it travel further
                message = message.replace(self._secret, "***")
            raise BackendError(f"upstream refused the request: HTTP {status}: {message}")
        try:
            return _completions(response.json())
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise _Retryable(f"malformed response body ({type(exc).__name__})") from None


def _upstream_message(response: httpx.Response) -> str:
    try:
        error = response.json().get("error")
        message = error.get("message") if isinstance(error, dict) else error
    except (ValueError, AttributeError):
        message = response.text
    return str(message or "")[:300]


def _completions(payload: dict[str, Any]) -> list[Completion]:
    """Choices of a chat-completions body; the call's tokens are spread so that they sum exactly."""
    choices = payload["choices"]
    if not isinstance(choices, list) or not choices:
        raise ValueError("no choices")
    usage = payload.get("usage") or {}
    prompt_tokens = int(usage.get("prompt_tokens") or 0)
    completion_tokens = int(usage.get("completion_tokens") or 0)
    share, extra = divmod(completion_tokens, len(choices))
    ordered = sorted(choices, key=lambda c: int(c.get("index", 0)))
    return [
        Completion(
            text=str(choice["message"].get("content") or ""),
            prompt_tokens=prompt_tokens if i == 0 else 0,
            completion_tokens=share + (extra if i == 0 else 0),
            finish_reason=str(choice.get("finish_reason") or "stop"),
        )
        for i, choice in enumerate(ordered)
    ]
