"""The training loop: a fresh model from the base checkpoint, AdamW + cosine, best-on-validation kept.

``train`` always starts from the base (a new model each call, never the previous round's weights
unless the base *is* a checkpoint path), runs bf16 autocast or fp32 (``precision.py``), reports every
step through ``progress``, stops cooperatively when ``should_stop()`` is true (raising
``TrainingCancelled``) or softly at ``time_limit_s``, and writes the best validated weights through
``checkpoint.save_checkpoint``. Data preparation is ``data.py``; what a model is, ``student.modeling``.
"""

from __future__ import annotations

import math
import random
import resource
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch

from student.modeling import build_tiny, format_dict, load_pretrained
from student.text import Distractors
from student.text.number_slots import CURRENT, SCHEMES

from .checkpoint import check_target, save_checkpoint
from .config import TrainConfig, TrainExample, TrainingCancelled, TrainProgress, TrainResult
from .data import (
    Encoded,
    batch_order,
    collate,
    data_hash,
    encode,
    resolve_knobs,
    resolve_switches,
    split_by_question,
    training_pairs,
)
from .precision import step_bf16_speedup, use_bf16

SCHEDULES = ("epochs", "budget", "converge", "tokens")
ProgressFn = Callable[[TrainProgress], None]
StopFn = Callable[[], bool]


def resolve_device(requested: str | None) -> torch.device:
    """The device to use: the requested one, else CUDA when present, else CPU."""
    if requested:
        return torch.device(requested)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _optimizer(model: torch.nn.Module, config: TrainConfig, fused: bool = True) -> torch.optim.Optimizer:
    """AdamW without decay on biases and norms; ``fused``: one kernel for all parameters instead of a dozen
    small operations per tensor (the tiny model's 38 tensors: 2.3 → 0.8 ms a step on a CPU core)."""
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and "norm" not in n.lower()]
    rest = [p for n, p in model.named_parameters() if not (p.ndim >= 2 and "norm" not in n.lower())]
    groups = [{"params": decay, "weight_decay": config.weight_decay}, {"params": rest, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=config.lr, betas=(0.9, 0.98), fused=fused)


class _Run:
    """State of one training run; methods are the loop's parts."""

    def __init__(self, model: Any, tokenizer: Any, seq2seq: bool, config: TrainConfig, device: torch.device):
        self.model, self.tokenizer, self.seq2seq, self.config, self.device = (
            model.to(device),
            tokenizer,
            seq2seq,
            config,
            device,
        )
        self.pad_id = tokenizer.pad_token_id
        self.n_params = sum(p.numel() for p in self.model.parameters())
        # bf16 autocast, else plain fp32; on a CPU, a small model's own step is timed both ways to decide
        self.autocast = use_bf16(
            config.precision, device, self.n_params, lambda: step_bf16_speedup(self.model)
        )
        self.best_val, self.best_state, self.best_step = math.inf, None, 0
        self.val_loss: float | None = None
        self.stale = 0  # validations since the best one (schedule "converge" stops at ``patience``)

    def forward(self, items: list[Encoded]) -> tuple[torch.Tensor, int]:
        batch = {k: v.to(self.device) for k, v in collate(items, self.pad_id, self.seq2seq).items()}
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.autocast):
            loss = self.model(**batch).loss
        return loss, sum(self.real_tokens(item) for item in items)

    def real_tokens(self, item: Encoded) -> int:
        """The tokens of ``item`` that ``forward`` counts (no padding)."""
        return len(item.input_ids) + (sum(1 for t in item.labels if t >= 0) if self.seq2seq else 0)

    @torch.no_grad()
    def validate(self, val_set: list[Encoded], step: int) -> None:
        """Validation loss (per program token); remember the weights when it is the best so far."""
        if not val_set:
            return
        self.model.eval()
        total, count = 0.0, 0
        for start in range(0, len(val_set), 64):
            items = val_set[start : start + 64]
            loss, _ = self.forward(items)
            n = sum(sum(1 for t in it.labels if t >= 0) for it in items)
            total, count = total + float(loss) * n, count + n
        self.model.train()
        self.val_loss = total / max(count, 1)
        self.stale += 1
        if self.val_loss < self.best_val:
            self.best_val, self.best_step, self.stale = self.val_loss, step, 0
            self.best_state = {k: v.detach().to("cpu", copy=True) for k, v in self.model.state_dict().items()}

    def restore_best(self) -> None:
        """Load the best validated weights back into the model (no-op without validation)."""
        if self.best_state is not None:
            self.model.load_state_dict(self.best_state)


def _base(config: TrainConfig, pairs: list[tuple[str, str]]) -> tuple[Any, Any, Any]:
    if config.base_model == "tiny":
        texts = [text for pair in pairs for text in pair]
        return build_tiny(texts, config.tiny, config.max_length)
    if config.tiny:
        raise ValueError("TrainConfig.tiny only applies when base_model is 'tiny'")
    return load_pretrained(config.base_model)


def _epoch_maker(
    config: TrainConfig, train_pairs: list[tuple[str, str]], tokenizer: Any, fmt: Any
) -> Callable[[], list[Encoded]] | None:
    """What makes each epoch's training set when it changes from epoch to epoch (None: it does not):
    an unrelated statement inserted into a share of the questions (``augment_distractors``)."""
    if config.augment_distractors <= 0 or not config.mask_numbers:
        return None
    rng = random.Random(f"{config.seed}/epochs")
    distractors = Distractors([q for q, _ in train_pairs])

    def make() -> list[Encoded]:
        pairs = [
            distractors.insert(q, p, rng) if rng.random() < config.augment_distractors else (q, p)
            for q, p in train_pairs
        ]
        return encode(pairs, tokenizer, fmt, config.max_length)[0]

    return make


def _plan(n_train: int, config: TrainConfig, epoch_tokens: int = 0) -> tuple[int, int, int]:
    """(steps per epoch, total steps, validate every n steps); ``epoch_tokens``: the real tokens of one pass
    over the training split (what schedule "tokens" divides its budget by)."""
    per_epoch = math.ceil(n_train / config.batch_size)
    epochs = config.epochs
    if config.schedule == "budget":  # counted on the distinct pairs the model actually sees
        epochs = max(1, min(1000, math.ceil(config.budget_examples / n_train)))
    total = per_epoch * epochs
    if config.schedule == "tokens":  # the steps whose mean real tokens (per example) add up to the budget
        total = math.ceil(config.budget_tokens * n_train / (config.batch_size * max(epoch_tokens, 1)))
    if config.max_steps is not None:
        total = min(total, config.max_steps)
    every = max(1, min(per_epoch // max(config.evals_per_epoch, 1), total // 10))
    return per_epoch, max(total, 1), every


class _Schedule:
    """Linear warm-up then cosine decay to zero over the run's *progress*: the larger of steps done /
    planned and, with a time budget, seconds spent / budget. A run cut short by its time budget so
    still ends at a learning rate near zero instead of at the top of a schedule planned for more
    epochs than the budget allows."""

    def __init__(self, optimizer: torch.optim.Optimizer, total: int, config: TrainConfig) -> None:
        self.optimizer, self.total, self.config = optimizer, total, config
        self.peaks = [group["lr"] for group in optimizer.param_groups]
        self.start = time.monotonic()
        self.step(0)

    def progress(self, step: int) -> float:
        done = step / self.total
        if self.config.time_limit_s:
            done = max(done, (time.monotonic() - self.start) / self.config.time_limit_s)
        return min(done, 1.0)

    def factor(self, progress: float) -> float:
        warmup = self.config.warmup_ratio
        if progress < warmup:
            return max(progress / warmup, 1e-3)
        return 0.5 * (1.0 + math.cos(math.pi * (progress - warmup) / max(1.0 - warmup, 1e-9)))

    def step(self, step: int) -> None:
        """Set the learning rate for the optimiser step that follows ``step`` steps done."""
        factor = self.factor(self.progress(step))
        for group, peak in zip(self.optimizer.param_groups, self.peaks, strict=True):
            group["lr"] = peak * factor


def _seed(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)


def train(
    examples: Sequence[TrainExample],
    config: TrainConfig,
    out_dir: Path,
    progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> TrainResult:
    """Train a new model from ``config.base_model`` on ``examples``; write the best one to ``out_dir``.

    Raises ``TrainingCancelled`` when ``should_stop()`` returns true (nothing is written),
    ``FileExistsError`` when ``out_dir`` is not empty and ``ValueError`` on unusable input.
    """
    out_dir = Path(out_dir)
    check_target(out_dir)
    if not examples:
        raise ValueError("no training examples")
    if config.schedule not in SCHEDULES:
        raise ValueError(f"unknown schedule {config.schedule!r}; expected one of {SCHEDULES}")
    if config.threads:
        torch.set_num_threads(config.threads)
    _seed(config.seed)
    config = resolve_knobs(resolve_switches(config))  # what the base leaves open, decided once
    pairs, entities = training_pairs(examples, config)
    train_pairs, val_pairs = split_by_question(pairs, config.val_fraction, config.seed)
    model, tokenizer, fmt = _base(config, pairs)
    train_set, dropped = encode(train_pairs, tokenizer, fmt, config.max_length)
    val_set, _ = encode(val_pairs, tokenizer, fmt, config.max_length)
    if not train_set:
        raise ValueError(f"no training example fits in max_length={config.max_length} tokens")
    run = _Run(model, tokenizer, fmt.kind == "seq2seq", config, resolve_device(config.device))
    epoch_set = _epoch_maker(config, train_pairs, tokenizer, fmt)
    metrics = _loop(run, train_set, val_set, progress, should_stop, epoch_set)
    run.restore_best()
    metrics |= {
        "train_examples": len(train_set),
        "val_examples": len(val_set),
        "dropped_too_long": dropped,
        "params": run.n_params,
        "vocab_size": len(tokenizer),
        "device": str(run.device),
        "dtype": "bf16-autocast" if run.autocast else "fp32",
        "lr": config.lr,
        "batch_size": config.batch_size,
        "max_length": config.max_length,
    }
    meta = {
        "base_model": config.base_model,
        "data_hash": data_hash(examples),
        "n_examples": len(examples),
        "config": asdict(config),
        "metrics": metrics,
        "prompt_format": format_dict(fmt),
        "masking": {"enabled": config.mask_numbers, "scheme": CURRENT, "description": SCHEMES[CURRENT]},
        "entities": {"enabled": entities is not None, **(entities.to_dict() if entities else {})},
    }
    return TrainResult(save_checkpoint(out_dir, run.model, tokenizer, meta), metrics)


def _peak_memory_mb(device: torch.device) -> float:
    """The run's peak memory in MB: on CUDA what torch allocated on ``device`` (since ``_loop`` reset
    it); on CPU the process's peak resident set, which a long-lived worker carries from its earlier jobs."""
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux, bytes on macOS
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def _step(run: _Run, items: list[Encoded], optimizer: torch.optim.Optimizer) -> tuple[torch.Tensor, int]:
    """One optimiser step on ``items``; returns the loss and the number of tokens processed."""
    loss, n_tokens = run.forward(items)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(run.model.parameters(), run.config.grad_clip)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return loss, n_tokens


def _loop(
    run: _Run,
    train_set: list[Encoded],
    val_set: list[Encoded],
    progress: ProgressFn | None,
    should_stop: StopFn | None,
    epoch_set: Callable[[], list[Encoded]] | None = None,
) -> dict[str, Any]:
    """The optimiser loop; ``epoch_set`` (when given) makes a fresh training set for every epoch."""
    config = run.config
    per_epoch, total, every = _plan(len(train_set), config, sum(run.real_tokens(e) for e in train_set))
    optimizer = _optimizer(run.model, config)
    if run.device.type == "cuda":  # this run's peak (from its weights on), not an earlier job's in the worker
        torch.cuda.reset_peak_memory_stats(run.device)
    schedule = _Schedule(optimizer, total, config)
    rng, start = random.Random(config.seed), schedule.start
    tokens, step, losses, stopped = 0, 0, [], "completed"
    run.model.train()
    while step < total and stopped == "completed":
        items = train_set if epoch_set is None else epoch_set()
        for batch in batch_order(items, config.batch_size, rng):
            if should_stop is not None and should_stop():
                raise TrainingCancelled(f"training cancelled at step {step}/{total}")
            loss, n_tokens = _step(run, [items[i] for i in batch], optimizer)
            step, tokens = step + 1, tokens + n_tokens
            schedule.step(step)
            losses.append(float(loss.detach()))
            if step % every == 0 or step == total:
                run.validate(val_set, step)
                if config.schedule == "converge" and run.stale >= config.patience:
                    stopped = "converged"
            if progress is not None:
                progress(TrainProgress(step, total, step / per_epoch, losses[-1], run.val_loss))
            if config.time_limit_s is not None and time.monotonic() - start > config.time_limit_s:
                stopped = "time_limit"
            if config.schedule == "tokens" and tokens >= config.budget_tokens and step < total:
                stopped = "token_budget"  # the planned steps' mean was an estimate: the count decides
            if step >= total or stopped != "completed":
                break
    if step % every != 0 and step != total:
        run.validate(val_set, step)  # the last weights get a chance too when stopped early
    seconds = time.monotonic() - start
    tail = losses[-max(1, min(len(losses), per_epoch)) :]
    return {
        "steps": step,
        "total_steps": total,
        "epochs": step / per_epoch,
        "stopped": stopped,
        "first_loss": losses[0],
        "train_loss": sum(tail) / len(tail),
        "best_val_loss": run.best_val if run.best_state is not None else None,
        "best_step": run.best_step,
        "seconds": seconds,
        "tokens": tokens,
        "tokens_per_s": tokens / max(seconds, 1e-9),
        "peak_memory_mb": _peak_memory_mb(run.device),
    }
