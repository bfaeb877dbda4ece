"""Bounded concurrent calls: send a step's teacher requests, a few in flight, keeping every outcome."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def split(items: Sequence[T], size: int) -> list[list[T]]:
    """``items`` in consecutive chunks of at most ``size``."""
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


async def gather_bounded(
    call: Callable[[T], Awaitable[R]], requests: Sequence[T], concurrency: int
) -> list[R | BaseException]:
    """``call`` every request with at most ``concurrency`` in flight; each outcome is a result or the error.

    Errors are returned, not raised, so that the caller can record what succeeded before failing.
    """
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(request: T) -> R:
        async with gate:
            return await call(request)

    return await asyncio.gather(*(one(r) for r in requests), return_exceptions=True)


def first_error(outcomes: Sequence[object]) -> BaseException | None:
    """The first error among ``outcomes`` (None when all succeeded)."""
    return next((o for o in outcomes if isinstance(o, BaseException)), None)
