"""Deterministic names and numbers: student job ids, teacher sampling seeds, usage labels, text hashes.

Everything a stage sends to another service is derived from (run, round, stage, item), never from the
clock or a random source, so a request repeated after a crash is the same request: the student answers
it with the job it already has (ids are idempotent) and the teacher from its cache (same seed, same
text).
"""

from __future__ import annotations

import hashlib

from fdd.datasets import normalise_text


def text_hash(text: str) -> str:
    """sha256 (hex) of the normalised text: two problems with the same wording are duplicates."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def derive_seed(*parts: object) -> int:
    """A 31-bit integer seed derived from ``parts`` (stable across processes and Python versions)."""
    payload = "\x1f".join(str(p) for p in parts).encode("utf-8")
    return int.from_bytes(hashlib.sha256(payload).digest()[:4], "big") & 0x7FFFFFFF


def usage_label(run_id: int, round_index: int | None) -> str:
    """The teacher usage label of a run's round (``None``: the INIT stage)."""
    return f"run{run_id}-init" if round_index is None else f"run{run_id}-r{round_index}"


def job_id(run_id: int, round_index: int, stage: str, attempt: int, part: int | None = None) -> str:
    """The student job id of a stage's ``attempt`` (``part``: which benchmark of an evaluation)."""
    suffix = "" if part is None else f"-{part}"
    return f"run{run_id}-r{round_index}-{stage}{suffix}-a{attempt}"
