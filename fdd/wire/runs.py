"""The order of a run's stages, as its stored config decides it: shared by the orchestrator's state machine
and the clients that draw a run's progress (``fdd watch``).

A feedback round runs train → evaluate → classify → generate, or train → classify → generate → evaluate where
it evaluates beside the teacher (its evaluate job is sent as GENERATE starts); see ``evaluates_beside``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

BESIDE = ("init", "train", "classify", "generate", "evaluate")
SERIAL = ("init", "train", "evaluate", "classify", "generate")


def evaluates_beside(config: Mapping[str, Any]) -> bool:
    """Whether a run of ``config`` (as stored) evaluates each feedback round beside the teacher's GENERATE:
    ``evaluation.beside_teacher`` (default false; a config stored before the setting existed lacks it),
    unless a stop criterion (``plateau``, ``budget_usd``) is set: it is read after EVALUATE, which must then
    come before the round's CLASSIFY and GENERATE spend."""
    evaluation = config.get("evaluation") or {}
    return (
        bool(evaluation.get("beside_teacher", False))
        and config.get("plateau") is None
        and config.get("budget_usd") is None
    )


def round_stages(config: Mapping[str, Any]) -> tuple[str, ...]:
    """The stages of a feedback round in the order a run of ``config`` goes through them (``init`` first,
    in round 0 only); the last round trains and evaluates."""
    return BESIDE if evaluates_beside(config) else SERIAL
