"""One module per stage; ``STEPS`` maps each stage of the pointer to its step function.

A step does a bounded piece of its stage (a few teacher chunks, one look at a student job), commits it,
and returns ``StepResult.MORE`` or, once the stage is complete, ``StepResult.DONE``. Every step is
idempotent: calling it again after a crash continues from what the database says is done.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from orchestrator.runs.state import Stage

from ..context import StageContext, StepResult
from . import classify, evaluate, generate, init, train

STEPS: dict[Stage, Callable[[StageContext], Awaitable[StepResult]]] = {
    Stage.INIT: init.step,
    Stage.TRAIN: train.step,
    Stage.EVALUATE: evaluate.step,
    Stage.CLASSIFY: classify.step,
    Stage.GENERATE: generate.step,
}
