"""The training job's vocabulary: its knobs (``TrainConfig``), its inputs, progress and result.

``TrainConfig`` is saved beside every checkpoint with ``asdict`` so that a model can always be
traced to the settings that made it; every field says what it does. ``base_knobs`` decides the knobs
left to the base. Nothing here runs anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


class TrainingCancelled(Exception):
    """Raised by ``train`` when ``should_stop()`` said so; no checkpoint is left behind."""


@dataclass
class TrainConfig:
    """Hyper-parameters of one training run (defaults: the tiny student on CPU, docs/architecture.md)."""

    base_model: str = "tiny"  # "tiny" (built from a config, no download) | local path | hub id
    # how much to train: "epochs" (``epochs`` passes over the training split), "budget" (``budget_examples``
    # example passes: epochs = ceil(budget / distinct pairs)), "tokens" (``budget_tokens`` real tokens: the
    # steps that the training split's mean real tokens per step reach it in) or "converge" (until the
    # validation loss has not improved for ``patience`` validations, at most ``epochs`` passes); max_steps and
    # time_limit_s stop any of them sooner
    schedule: str = "epochs"
    epochs: int = 30
    budget_examples: int = 40_000
    budget_tokens: int = 1_000_000
    patience: int = 3
    init: str = "base"  # "base" | "previous" (a warm start: base_model is then the previous checkpoint)
    # batch_size, lr and max_length: None = the base's, decided once by data.resolve_knobs (``base_knobs``)
    batch_size: int | None = None  # examples per optimiser step
    lr: float | None = None  # peak AdamW learning rate (cosine decay after warm-up)
    weight_decay: float = 0.01  # AdamW weight decay (not applied to biases and norms)
    warmup_ratio: float = 0.05  # fraction of the steps spent warming the learning rate up linearly
    max_steps: int | None = None  # hard cap on optimiser steps; None = epochs * steps per epoch
    val_fraction: float = 0.05  # share of distinct questions held out for validation (best checkpoint)
    seed: int = 0  # seeds the split, the initialisation, the shuffling and dropout
    time_limit_s: float | None = None  # wall-clock budget; training stops, keeping the best checkpoint
    # the three text switches below (and mask_entities): None = the base's, decided once by
    # data.resolve_switches: on for the tiny model, as trained for an fdd checkpoint, off for a pre-trained
    # base (it knows numbers and words; a masked form is one more thing to unlearn)
    mask_numbers: bool | None = None  # numbers become N1, N2 … in question and program (restored to run)
    # people become P1, P2 …, counted things X1, X2 … in questions (entities.py); None: on for the tiny
    # model (and an fdd checkpoint trained so), off for pre-trained bases, which know their words
    mask_entities: bool | None = None
    normalize_names: bool | None = None  # assigned variables become v1, v2 … in the training programs
    compact_programs: bool | None = None  # number constants inlined, final ``ans = x`` folded (program_form)
    augment_distractors: float = 0.3  # share of examples given an unrelated statement each epoch (augment.py)
    max_length: int | None = None  # longest prompt + program in tokens; longer examples are dropped (counted)
    threads: int | None = None  # torch CPU threads; None = leave torch's default (the machine's cores)
    tiny: dict[str, Any] = field(default_factory=dict)  # overrides of the tiny model (hidden, layers, …)
    device: str | None = None  # "cpu" | "cuda" | "cuda:1" …; None = CUDA when present, else CPU
    # "auto" | "fp32" | "bf16" (autocast); auto: bf16 on a GPU that has it, on a CPU with fast bf16 for a
    # model of ≥ 10 M parameters, and for a smaller one whose own step measures ≥ 1.3x faster in bf16; fp32
    # otherwise (precision.py)
    precision: str = "auto"
    evals_per_epoch: int = 1  # validation passes per epoch (at least 10 over a run in total)
    grad_clip: float = 1.0  # max gradient norm


# The knobs that follow the base when left to None. The tiny model learns from the run's text alone, from
# scratch: a high rate and large batches of short examples. A pre-trained base is fine-tuned: 2e-3 would
# wreck its weights, its batches cost far more memory, and its tokenizer spends more tokens on a question.
TINY_KNOBS: dict[str, float | int] = {"lr": 2e-3, "batch_size": 32, "max_length": 256}
PRETRAINED_KNOBS: dict[str, float | int] = {"lr": 5e-5, "batch_size": 8, "max_length": 512}


def base_knobs(config: TrainConfig, base_meta: Mapping[str, Any] | None = None) -> dict[str, float | int]:
    """``lr``, ``batch_size`` and ``max_length`` decided: as asked, else the base's: the tiny model's for
    ``tiny``, what an fdd checkpoint (``base_meta``: its meta) was trained with, so that a warm start from a
    tiny checkpoint keeps the tiny model's, else a pre-trained base's (``student.text.text_switches``
    decides the text switches the same way)."""
    tiny = config.base_model == "tiny"
    trained = {} if tiny else (base_meta or {}).get("config", {})
    out = {}
    for name, default in (TINY_KNOBS if tiny else PRETRAINED_KNOBS).items():
        asked = getattr(config, name)
        if asked is None:
            asked = default if trained.get(name) is None else trained[name]
        out[name] = asked
    return out


@dataclass
class TrainExample:
    """One (question → canonical program) pair; several may share a question (k reasoning paths)."""

    id: str
    question: str
    program: str


@dataclass
class TrainProgress:
    """A progress report, sent to the ``progress`` callback after every optimiser step."""

    step: int
    total_steps: int
    epoch: float  # fractional epochs done
    loss: float  # training loss of this step (mean over program tokens)
    val_loss: float | None  # latest validation loss, None before the first validation

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return asdict(self)


@dataclass
class TrainResult:
    """Where the best checkpoint was written and how training went."""

    checkpoint_dir: Path
    metrics: dict[str, Any]  # train_loss, best_val_loss, steps, seconds, tokens_per_s, params, …

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {"checkpoint_dir": str(self.checkpoint_dir), "metrics": dict(self.metrics)}
