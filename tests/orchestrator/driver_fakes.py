"""Fake teacher and student services at the HTTP boundary (``httpx.MockTransport``) for driver tests.

``FakeTeacher`` answers ``/v1/rationales``, ``/v1/variants`` and ``/v1/usage`` in the wire shapes: a
problem whose text contains "unsolvable" gets no correct rationale, a parent whose text contains
"decline" gets declined variants, ``same_text`` makes every variant of one kind read the same (to test
duplicates). It keeps a response cache keyed by the request's content, as the real teacher does, and
counts upstream calls and cache hits per label. ``FakeStudent`` answers ``/v1/jobs``: jobs succeed at
once (``hold`` keeps them running until cancelled); predictions are correct for even problem ids.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from fdd.wire.teacher import (
    NewProblem,
    RationaleRequest,
    RationaleResponse,
    RationaleResult,
    Sample,
    UsageDelta,
    UsageReport,
    VariantRequest,
    VariantResponse,
)

META = {"backend": "fake", "model": "fake-1", "prompt_version": "v1"}


def _error(status: int, message: str) -> httpx.Response:
    return httpx.Response(status, json={"error": {"message": message, "type": "fake", "code": status}})


@dataclass
class FakeTeacher:
    cost_per_call: float = 0.01
    same_text: bool = False
    fail_after: int | None = None  # answer 400 once this many upstream calls were made
    calls: Counter = field(default_factory=Counter)  # upstream calls by label
    hits: Counter = field(default_factory=Counter)  # cache hits by label
    cache: set = field(default_factory=set)
    requests: list = field(default_factory=list)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def _charge(self, key: tuple, label: str | None, n_items: int) -> tuple[UsageDelta, bool]:
        """Per item: an upstream call unless the same item was asked before (then a cache hit)."""
        if key in self.cache:
            self.hits[label] += n_items
            return UsageDelta(cache_hits=n_items), True
        self.cache.add(key)
        self.calls[label] += n_items
        return UsageDelta(calls=n_items, cost_usd=self.cost_per_call * n_items), False

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v1/usage":
            label = request.url.params.get("label")
            totals = UsageDelta(calls=self.calls[label], cache_hits=self.hits[label])
            return httpx.Response(200, json=UsageReport(rows=[], totals=totals).model_dump(mode="json"))
        if self.fail_after is not None and sum(self.calls.values()) >= self.fail_after:
            return _error(400, "fake teacher told to fail")
        body = json.loads(request.content)
        self.requests.append((path, body))
        if path == "/v1/rationales":
            return httpx.Response(200, json=self.rationales(RationaleRequest.model_validate(body)))
        if path == "/v1/variants":
            return httpx.Response(200, json=self.variants(VariantRequest.model_validate(body)))
        return _error(404, f"no route {path}")

    def rationales(self, req: RationaleRequest) -> dict[str, Any]:
        results, usage = [], UsageDelta()
        for p in req.problems:
            delta, cached = self._charge(("r", p.text, req.k, req.sampling.seed), req.label, 1)
            usage = UsageDelta(**{k: getattr(usage, k) + getattr(delta, k) for k in UsageDelta.model_fields})
            solvable = "unsolvable" not in p.text
            programs = [f"ans = {p.gold}", f"x = {p.gold}\nans = x"][: req.k] if solvable else []
            samples = [
                Sample(
                    index=i, raw=prog, program=prog, verdict="ok", answer=p.gold, correct=True, cached=cached
                )
                for i, prog in enumerate(programs)
            ] or [
                Sample(
                    index=0,
                    raw="?",
                    program=None,
                    verdict="no_program",
                    answer=None,
                    correct=None,
                    cached=cached,
                )
            ]
            results.append(RationaleResult(id=p.id, samples=samples, correct_programs=programs, **META))
        return RationaleResponse(results=results, usage=usage).model_dump(mode="json")

    def variants(self, req: VariantRequest) -> dict[str, Any]:
        out, usage = [], UsageDelta()
        for p in req.problems:
            delta, _ = self._charge(("v", p.text, req.kind, req.n, req.sampling.seed), req.label, 1)
            usage = UsageDelta(**{k: getattr(usage, k) + getattr(delta, k) for k in UsageDelta.model_fields})
            for i in range(req.n):
                text = f"A {req.kind} problem." if self.same_text else f"{p.text} ({req.kind} variant {i})"
                answer = (p.answer or 0) + 1
                declined = "decline" in p.text
                out.append(
                    NewProblem(
                        parent_id=p.id,
                        kind=req.kind,
                        index=i,
                        text=None if declined else text,
                        accepted=not declined,
                        reason="declined" if declined else None,
                        answer=None if declined else answer,
                        programs=[] if declined else [f"ans = {answer}"],
                        steps=2,
                        parent_steps=1,
                        **META,
                    )
                )
        return VariantResponse(problems=out, usage=usage).model_dump(mode="json")


@dataclass
class FakeStudent:
    hold: bool = False
    jobs: dict = field(default_factory=dict)
    created: list = field(default_factory=list)
    cancelled: list = field(default_factory=list)
    waits: list = field(default_factory=list)  # the ``wait`` of each GET of a job (None: not a long poll)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def _read(self, job_id: str) -> dict[str, Any]:
        job = self.jobs[job_id]
        now = datetime.now(UTC).isoformat()
        return {
            "id": job_id,
            "kind": job["kind"],
            "status": job["status"],
            "progress": {"done": 1, "total": 1},
            "result": job["result"],
            "error": None,
            "attempts": 1,
            "created_at": now,
            "updated_at": now,
        }

    def handle(self, request: httpx.Request) -> httpx.Response:
        parts = request.url.path.strip("/").split("/")
        if request.method == "POST" and parts == ["v1", "jobs"]:
            body = json.loads(request.content)
            job_id = body["id"]
            if job_id not in self.jobs:
                self.created.append(job_id)
                params = body["params"]
                status = "running" if self.hold else "succeeded"
                self.jobs[job_id] = {
                    "kind": params["kind"],
                    "queue": body.get("queue"),
                    "params": params,
                    "status": status,
                    "result": self.result(job_id, params),
                }
            return httpx.Response(201, json=self._read(job_id))
        if len(parts) == 3 and parts[:2] == ["v1", "jobs"] and parts[2] in self.jobs:
            if request.method == "DELETE":
                self.cancelled.append(parts[2])
                self.jobs[parts[2]]["status"] = "cancelled"
            if request.method == "GET":
                wait = request.url.params.get("wait")
                self.waits.append(None if wait is None else float(wait))
            return httpx.Response(200, json=self._read(parts[2]))
        return _error(404, f"no job at {request.url.path}")

    def result(self, job_id: str, params: dict[str, Any]) -> dict[str, Any]:
        if params["kind"] == "train":
            return {"checkpoint": job_id, "metrics": {"examples": len(params["examples"])}}
        if params["kind"] == "evaluate":
            return {
                "checkpoint": params["checkpoint"],
                "benchmark": params["benchmark"],
                "accuracy": 0.5,
                "n": 10,
                "population_hash": "h",
                "by_group": {"1": {"n": 10, "correct": 5, "accuracy": 0.5}},
            }
        predictions = [self.predict(p) for p in params["problems"]]
        return {"checkpoint": params["checkpoint"], "n": len(predictions), "predictions": predictions}

    @staticmethod
    def predict(problem: dict[str, Any]) -> dict[str, Any]:
        """Even ids are solved; odd ids are wrong, or unanswered when also divisible by 3."""
        pid = int(problem["id"])
        outcome = "correct" if pid % 2 == 0 else ("no_answer" if pid % 3 == 0 else "wrong")
        answer = {"correct": problem["gold"], "wrong": (problem["gold"] or 0) + 1}.get(outcome)
        output = {"text": "ans = 1", "program": "ans = 1" if answer is not None else None, "answer": answer}
        return {
            "id": problem["id"],
            "outputs": [{**output, "verdict": outcome}],
            "answer": answer,
            "pass_rate": float(outcome == "correct"),
            "outcome": outcome,
        }
