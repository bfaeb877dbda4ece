"""Replaying whole responses: a request body answered wholly from the cache is answered again from memory.

A ``/v1/rationales`` response whose every sample came from the cache (no upstream call, no upstream
error, no verdict that depends on load such as a time-out) is a pure function of the request body: the
cache rows are written once and never change, and program verdicts are memoised. ``ReplayCache`` keeps
such responses' bytes by (endpoint, exact body), within a memory budget (least recently used first out),
with the usage the request was counted for; a replay counts that usage again. It saves the parsing,
cache-key hashing, response building and serialisation of a repeated request, nothing else: the caller
still accounts the usage and the app still logs the request.

``ReplayFront`` answers such a request before routing: it sits inside the shared middleware (request log,
service token, body-size limit, input guard, all still applied) and in front of FastAPI's router and
dependency resolution, which cost more per hit than the lookup itself. A body it does not hold, or one
not declared as JSON, goes on to the route unchanged (the body read once, handed on).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


def is_json(content_type: bytes | str) -> bool:
    """True for a media type FastAPI reads as JSON: ``application/json``, ``application/…+json``."""
    text = content_type.decode("latin-1") if isinstance(content_type, bytes) else content_type
    kind = text.split(";", 1)[0].strip().lower()
    return kind.startswith("application/") and (kind.endswith("/json") or kind.endswith("+json"))


class ReplayFront:
    """Pure ASGI: a ``POST`` to ``path`` whose exact JSON body is kept for replay is answered here.

    ``endpoint`` names the replay entries (``Teacher.replay``); the teacher is read from the app's state,
    set in its lifespan. Everything else passes through untouched.
    """

    def __init__(self, app: ASGIApp, path: str, endpoint: str) -> None:
        self.app = app
        self.path = path
        self.endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        teacher = getattr(scope["app"].state, "teacher", None)
        content_type = next((v for k, v in scope["headers"] if k == b"content-type"), b"")
        if teacher is None or not teacher.replays.max_bytes or not is_json(content_type):
            await self.app(scope, receive, send)
            return
        body, more = await _read_body(receive)
        content = None if more else await teacher.replay(self.endpoint, body)
        if content is not None:
            headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(content))]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": content})
            return
        pending: list[Message] = [{"type": "http.request", "body": body, "more_body": more}]

        async def replay_receive() -> Message:
            return pending.pop() if pending else await receive()

        await self.app(scope, replay_receive, send)


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The request body, and True when the client went away before its end (``http.disconnect``)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), True
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), False
