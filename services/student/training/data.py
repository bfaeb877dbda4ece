"""Training data for the student: the run's text transform, the validation split, token ids and batches.

Builds the run's ``student.text.TextTransform`` (masking, program form; applied the same way by the
predictor), turns ``TrainExample`` pairs into ``[BOS] question [SEP] program [EOS]`` (or
encoder/decoder pairs) with the loss on the program and its EOS only, splits off validation
questions (all paths of one question land on the same side), and yields length-grouped shuffled
batches. The model and its
prompt format come from ``student.modeling``; the loop that consumes the batches is ``loop.py``.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch

from student.modeling import PromptFormat, read_meta
from student.text import EntityVocab, TextTransform, text_switches

from .config import TrainConfig, TrainExample, base_knobs

IGNORE = -100  # label of tokens that carry no loss (prompt, padding)


@dataclass
class Encoded:
    """One example as token ids: ``input_ids`` and ``labels`` (IGNORE on the prompt for causal models)."""

    input_ids: list[int]
    labels: list[int]


def _base_meta(config: TrainConfig) -> dict[str, Any] | None:
    return read_meta(config.base_model) if Path(config.base_model).is_dir() else None


def resolve_switches(config: TrainConfig) -> TrainConfig:
    """``config`` with every text switch left to the base (None) decided (``text_switches``), so that
    the checkpoint's meta records what the run actually did."""
    return replace(config, **text_switches(config, _base_meta(config)))


def resolve_knobs(config: TrainConfig) -> TrainConfig:
    """``config`` with ``lr``, ``batch_size`` and ``max_length`` left to the base (None) decided
    (``base_knobs``), so that the checkpoint's meta records the numbers the run actually used."""
    knobs = base_knobs(config, _base_meta(config))
    return replace(
        config,
        lr=float(knobs["lr"]),
        batch_size=int(knobs["batch_size"]),
        max_length=int(knobs["max_length"]),
    )


def text_transform(examples: Sequence[TrainExample], config: TrainConfig) -> TextTransform:
    """The text transform a run trains with: its switches, its questions' entity vocabulary, and the
    meta of its base when that is an fdd checkpoint (which decides the switches left to None)."""
    return TextTransform.for_training(config, (ex.question for ex in examples), _base_meta(config))


def training_pairs(
    examples: Sequence[TrainExample], config: TrainConfig
) -> tuple[list[tuple[str, str]], EntityVocab | None]:
    """The distinct pairs a run trains on, and the entity vocabulary it learnt (None when off)."""
    transform = text_transform(examples, config)
    return transform.pairs(examples), transform.entities


def data_hash(examples: Sequence[TrainExample]) -> str:
    """sha256 of the sorted (question, program) pairs: the same data gives the same hash, in any order."""
    digest = hashlib.sha256()
    for question, program in sorted((ex.question, ex.program) for ex in examples):
        digest.update(f"{question}\x00{program}\x01".encode())
    return digest.hexdigest()


def split_by_question(
    pairs: list[tuple[str, str]], val_fraction: float, seed: int
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Hold out ``val_fraction`` of the distinct questions (at least one, if two or more exist)."""
    questions = sorted({q for q, _ in pairs})
    n_val = round(len(questions) * val_fraction) if val_fraction > 0 else 0
    if val_fraction > 0 and len(questions) >= 2:
        n_val = min(max(n_val, 1), len(questions) - 1)
    random.Random(seed).shuffle(questions)
    held = set(questions[:n_val])
    return [p for p in pairs if p[0] not in held], [p for p in pairs if p[0] in held]


def encode(
    pairs: list[tuple[str, str]], tokenizer: Any, fmt: PromptFormat, max_length: int
) -> tuple[list[Encoded], int]:
    """Token ids of every pair that fits in ``max_length``; also the number of pairs dropped."""
    questions = list(dict.fromkeys(question for question, _ in pairs))  # a question's k programs share it
    prompts = dict(zip(questions, fmt.prompts_ids(tokenizer, questions), strict=True))
    targets = fmt.targets_ids(tokenizer, [program for _, program in pairs])
    out, dropped = [], 0
    for (question, _), target in zip(pairs, targets, strict=True):
        prompt = prompts[question]
        if fmt.kind == "seq2seq":
            item = Encoded(list(prompt), target)
        else:
            item = Encoded(prompt + target, [IGNORE] * len(prompt) + target)
        if max(len(item.input_ids), len(item.labels)) > max_length:
            dropped += 1
            continue
        out.append(item)
    return out, dropped


def batch_order(items: list[Encoded], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of indices, each drawn from a window of similar lengths (less padding)."""
    order = list(range(len(items)))
    rng.shuffle(order)
    window = batch_size * 32
    batches = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda i: len(items[i].input_ids))
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def collate(items: list[Encoded], pad_id: int, seq2seq: bool) -> dict[str, torch.Tensor]:
    """Right-padded tensors: ``input_ids``, ``attention_mask`` and ``labels`` (IGNORE on padding)."""
    width = max(len(it.input_ids) for it in items)
    ids = torch.full((len(items), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(items), width), dtype=torch.long)
    label_width = max(len(it.labels) for it in items) if seq2seq else width
    labels = torch.full((len(items), label_width), IGNORE, dtype=torch.long)
    for row, it in enumerate(items):
        ids[row, : len(it.input_ids)] = torch.tensor(it.input_ids)
        mask[row, : len(it.input_ids)] = 1
        labels[row, : len(it.labels)] = torch.tensor(it.labels)
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}
