"""Tests of the training precision: who gets bf16 autocast, and that a bf16 run really trains in it."""

from __future__ import annotations

import json

import pytest
import torch

from student.modeling import META_FILE
from student.training import TrainConfig, precision, train
from student.training.precision import BF16_MIN_PARAMS, use_bf16
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
    assert not use_bf16("auto", CPU, BF16_MIN_PARAMS - 1)  # the tiny model: small operations, 1.07x
    monkeypatch.setattr(precision, "cpu_bf16_speedup", lambda: 0.01)  # bf16 emulated: far slower
    assert not use_bf16("auto", CPU, BF16_MIN_PARAMS)


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
    tiny = train(examples(40, seed=6), TrainConfig(**FAST), scratch_dir() / "tiny-auto")
    assert tiny.metrics["dtype"] == "fp32"  # auto keeps the tiny model in fp32 on a CPU
