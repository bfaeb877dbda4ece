"""The ``Teacher``: the long-lived parts one request needs, and the step every endpoint shares.

A ``Teacher`` is built once in the app's lifespan (backend, sampler with its cache, sandbox executor,
store, batch writer, replay cache) and handed to the endpoint services. ``solve`` is the shared step —
draw k samples of some prompts, run their programs in one sandbox batch, return each sample with its
verdict — and ``commit`` hands a request's new cache rows and usage row to the group-commit writer;
``replay`` answers a request body seen before from memory, counting its usage again.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from fdd.wire.teacher import ItemMeta, Sample, Sampling, UsageDelta
from teacher.backends.base import BackendError, TeacherBackend
from teacher.db import Store, UsageRecord
from teacher.execution import Executor, Verdict, canonical_form
from teacher.replay import Replay, ReplayCache
from teacher.sampling import Drawn, RequestUsage, Sampler
from teacher.writer import BatchWriter


@dataclass(frozen=True)
class Judged:
    """One sample of a prompt with its program's verdict."""

    drawn: Drawn
    verdict: Verdict

    def to_sample(self, correct: bool | None) -> Sample:
        c = self.drawn.completion
        return Sample(
            index=self.drawn.index,
            raw=c.text,
            program=self.verdict.program,
            verdict=self.verdict.verdict,
            answer=self.verdict.answer,
            correct=correct,
            cached=self.drawn.cached,
            prompt_tokens=c.prompt_tokens,
            completion_tokens=c.completion_tokens,
            cost_usd=self.drawn.cost_usd,
        )


class Teacher:
    """Backend + cache-backed sampler + sandbox + store, shared by every request of the process."""

    def __init__(
        self,
        backend: TeacherBackend,
        sampler: Sampler,
        executor: Executor,
        store: Store,
        writer: BatchWriter,
        replays: ReplayCache,
    ) -> None:
        self.backend = backend
        self.sampler = sampler
        self.executor = executor
        self.store = store
        self.writer = writer
        self.replays = replays

    def meta(self) -> ItemMeta:
        return ItemMeta(
            backend=self.backend.name, model=self.backend.model, prompt_version=self.sampler.prompt_version
        )

    async def draw_many(
        self, prompts: list[list[dict[str, str]]], k: int, sampling: Sampling, usage: RequestUsage
    ) -> list[list[Drawn] | BackendError]:
        """k samples of each prompt, concurrently; a prompt whose upstream failed gets its error."""

        async def one(messages: list[dict[str, str]]) -> list[Drawn] | BackendError:
            try:
                return await self.sampler.draw(messages, k, sampling, usage)
            except BackendError as exc:
                return exc

        if len(prompts) == 1:  # no task to schedule: a one-problem cache hit then never yields
            return [await one(prompts[0])]
        return list(await asyncio.gather(*(one(m) for m in prompts)))

    async def solve(
        self, prompts: list[list[dict[str, str]]], k: int, sampling: Sampling, usage: RequestUsage
    ) -> list[list[Judged] | BackendError]:
        """Draw k samples of each prompt and judge every program in one sandbox batch."""
        drawn = await self.draw_many(prompts, k, sampling, usage)
        texts = [d.completion.text for group in drawn if not isinstance(group, BackendError) for d in group]
        verdicts = iter(await self.executor.judge(texts))
        return [
            group if isinstance(group, BackendError) else [Judged(d, next(verdicts)) for d in group]
            for group in drawn
        ]

    async def commit(self, usage: RequestUsage) -> None:
        """Persist the request's new cache rows (waiting for them) and its usage row."""
        entries, usage.new_entries = usage.new_entries, []
        await self.writer.write(entries, usage.record(), wait=bool(entries))

    async def replay(self, endpoint: str, body: bytes) -> bytes | None:
        """The response kept for this exact ``body`` (its usage counted again), or ``None``."""
        found = self.replays.get(endpoint, body)
        if found is None:
            return None
        await self.writer.write([], found.usage, wait=False)
        return found.content

    def keep_replay(self, endpoint: str, body: bytes, content: bytes, label: str | None, hits: int) -> None:
        """Keep ``content``, served wholly from the cache (``hits`` samples), for replay by ``body``."""
        if self.replays.max_bytes and self.sampler.cache_enabled:
            usage = UsageRecord(self.backend.name, self.backend.model, endpoint, label, cache_hits=hits)
            self.replays.put(endpoint, body, Replay(content, usage))

    @staticmethod
    def delta(usage: RequestUsage) -> UsageDelta:
        return UsageDelta(
            calls=usage.calls,
            cache_hits=usage.cache_hits,
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            cost_usd=round(usage.cost_usd, 8),
        )


def distinct_canonical(programs: list[str]) -> list[str]:
    """Programs deduplicated by canonical form, first occurrence first, in canonical form."""
    return list(dict.fromkeys(canonical_form(program) for program in programs))
