"""Replaying whole responses: a request body answered wholly from the cache is answered again from memory.

A ``/v1/rationales`` response whose every sample came from the cache (no upstream call, no upstream
error, no verdict that depends on load such as a time-out) is a pure function of the request body: the
cache rows are written once and never change, and program verdicts are memoised. ``ReplayCache`` keeps
such responses' bytes by (endpoint, exact body), within a memory budget (least recently used first out),
with the usage the request was counted for; a replay counts that usage again. It saves the parsing,
cache-key hashing, response building and serialisation of a repeated request, nothing else: the caller
still accounts the usage and the app still logs the request.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from teacher.db import UsageRecord

_OVERHEAD_BYTES = 200  # per entry: the key tuple, the Replay and the usage record, roughly


@dataclass(frozen=True)
class Replay:
    """The bytes of a response and the usage (cache hits) it counts each time it is served."""

    content: bytes
    usage: UsageRecord


class ReplayCache:
    """Response bytes by (endpoint, request body), least recently used evicted past ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict[tuple[str, bytes], Replay] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, endpoint: str, body: bytes) -> Replay | None:
        found = self._items.get((endpoint, body))
        if found is not None:
            self._items.move_to_end((endpoint, body))
        return found

    def put(self, endpoint: str, body: bytes, replay: Replay) -> None:
        """Keep ``replay`` for ``body`` unless it would take more than an eighth of the budget."""
        cost = _cost(body, replay)
        if cost > self.max_bytes // 8 or (endpoint, body) in self._items:
            return
        self._items[(endpoint, body)] = replay
        self.size += cost
        while self.size > self.max_bytes:
            (_, old_body), old = self._items.popitem(last=False)
            self.size -= _cost(old_body, old)


def _cost(body: bytes, replay: Replay) -> int:
    return len(body) + len(replay.content) + _OVERHEAD_BYTES
