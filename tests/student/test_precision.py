"""Tests of the training precision: who gets bf16 autocast, and that a bf16 run really trains in it."""

from __future__ import annotations

import json

import pytest
import torch

from student.modeling import META_FILE, build_tiny
from student.training import TrainConfig, precision, train
from student.training.precision import BF16_MIN_PARAMS, step_bf16_speedup, use_bf16
from tests.student.tiny import FAST, examples, scratch_dir

CPU, CUDA = torch.device("cpu"), torch.device("cuda")


def test_asked_precision_is_taken_as_asked():
    assert use_bf16("bf16", CPU, 1_000)
    assert not use_bf16("fp32", CUDA, 10**9)


def test_auto_takes_bf16_on_a_gpu_and_for_a_large_model_on_a_cpu_with_fast_bf16(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: True)
    assert use_bf16("auto", CUDA, 1_000)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: False)  # a card before Ampere
    assert not use_bf16("auto", CUDA, 1_000)
    monkeypatch.setattr(precision, "cpu_bf16_speedup", lambda: 7.7)  # an AMX core, as measured
    assert use_bf16("auto", CPU, BF16_MIN_PARAMS)
    assert not use_bf16("auto", CPU, BF16_MIN_PARAMS - 1)  # a small model without its step measured
    monkeypatch.setattr(precision, "cpu_bf16_speedup", lambda: 2.3)  # a Zen 4 core on a bad day
    assert not use_bf16("auto", CPU, BF16_MIN_PARAMS)
    monkeypatch.setattr(precision, "cpu_bf16_speedup", lambda: 0.01)  # bf16 emulated: far slower
    assert not use_bf16("auto", CPU, BF16_MIN_PARAMS)


def test_auto_takes_bf16_for_a_small_model_only_where_its_own_step_measures_faster(
    monkeypatch: pytest.MonkeyPatch,
):
    small = BF16_MIN_PARAMS - 1
    monkeypatch.setattr(precision, "cpu_bf16_speedup", lambda: 4.4)  # a Zen 5 core
    assert use_bf16("auto", CPU, small, lambda: 1.7)  # the tiny model's forward and backward there
    assert not use_bf16("auto", CPU, small, lambda: 1.08)  # the AMX host's small gain is not worth it
    monkeypatch.setattr(precision, "cpu_bf16_speedup", lambda: 0.01)

    def never() -> float:
        raise AssertionError("a CPU that emulates bf16 has its step timed")

    assert not use_bf16("auto", CPU, small, never)
    assert use_bf16("bf16", CPU, small, never)
    assert not use_bf16("fp32", CPU, small, never)


def _tiny(vocab_texts: list[str]) -> torch.nn.Module:
    torch.manual_seed(0)
    return build_tiny(vocab_texts, {}, 64)[0]


def test_the_step_probe_leaves_the_model_and_the_random_state_alone_and_is_measured_once_per_shape(
    monkeypatch: pytest.MonkeyPatch,
):
    model = _tiny(["Mia buys 3 apples.", "ans = 3 * 2"])
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    monkeypatch.setattr(precision, "_STEP_SPEEDUPS", {})
    torch.manual_seed(7)
    state = torch.get_rng_state()
    speedup = step_bf16_speedup(model, batch=4, length=8, calls=1)
    assert speedup > 0
    assert torch.equal(torch.get_rng_state(), state)  # a run's draws do not depend on a probe having run
    assert all(torch.equal(v, weights[k]) for k, v in model.state_dict().items())
    assert all(p.grad is None for p in model.parameters())
    timed = []
    monkeypatch.setattr(precision, "_time_steps", lambda *args: timed.append(args) or 9.0)
    other_vocab = _tiny(["Tom sells 12 pears to Ann for 5 dollars each.", "ans = 12 * 5 - 1"])
    assert other_vocab.config.vocab_size != model.config.vocab_size
    assert step_bf16_speedup(other_vocab) == speedup
    assert not timed
    saved = scratch_dir() / "probe-saved"
    model.save_pretrained(saved)
    reloaded = type(model).from_pretrained(saved)  # a warm start's base: the same shape
    assert step_bf16_speedup(reloaded) == speedup
    assert not timed
    wider = build_tiny(["Mia buys 3 apples."], {"hidden": 64, "heads": 2}, 64)[0]
    assert step_bf16_speedup(wider) == 9.0
    assert len(timed) == 1


def test_an_unknown_precision_is_refused_by_name():
    with pytest.raises(ValueError, match="precision must be one of auto, fp32, bf16"):
        use_bf16("fp16", CPU, 1_000)


def test_the_speedup_probe_measures_a_positive_ratio():
    assert precision.cpu_bf16_speedup() > 0


def test_a_bf16_run_trains_under_autocast_and_says_so():
    result = train(
        examples(40, seed=6), TrainConfig(**(FAST | {"precision": "bf16"})), scratch_dir() / "bf16"
    )
    assert result.metrics["dtype"] == "bf16-autocast"
    assert result.metrics["train_loss"] < result.metrics["first_loss"]
    meta = json.loads((result.checkpoint_dir / META_FILE).read_text())
    assert meta["config"]["precision"] == "bf16"


def test_auto_trains_the_tiny_model_as_its_measured_step_says(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(precision, "cpu_bf16_speedup", lambda: 4.4)
    for measured, dtype in ((1.0, "fp32"), (1.7, "bf16-autocast")):
        monkeypatch.setattr(precision, "_STEP_SPEEDUPS", {})
        monkeypatch.setattr(precision, "_time_steps", lambda *args, m=measured: m)
        tiny = train(examples(40, seed=6), TrainConfig(**FAST), scratch_dir() / f"tiny-auto-{measured}")
        assert tiny.metrics["dtype"] == dtype


class _Unsteppable(torch.nn.Module):
    """A small model whose forward takes none of the probe's arguments."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.weight


def test_a_model_the_probe_cannot_drive_trains_in_fp32(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(precision, "cpu_bf16_speedup", lambda: 4.4)
    monkeypatch.setattr(precision, "_STEP_SPEEDUPS", {})
    model = _Unsteppable()
    assert step_bf16_speedup(model) == 0.0
    assert not use_bf16("auto", CPU, 2, lambda: step_bf16_speedup(model))
