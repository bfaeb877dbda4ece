"""The optimisation knobs that follow the base (``lr``, ``batch_size``, ``max_length``): left to None, the
tiny model's for ``tiny``, gentle ones for a pre-trained base, as trained for an fdd checkpoint; decided
once when training starts, so that the checkpoint's meta records what was used. Also the training
metrics' ``peak_memory_mb``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from fdd.wire.student import TrainingKnobs, TrainParams
from student.modeling import META_FILE
from student.training import TrainConfig, train
from student.training.config import PRETRAINED_KNOBS, TINY_KNOBS, base_knobs
from student.training.data import resolve_knobs
from tests.student.test_pretrained import _save_gpt2
from tests.student.tiny import examples

TINY = {"lr": 2e-3, "batch_size": 32, "max_length": 256}
PRETRAINED = {"lr": 5e-5, "batch_size": 8, "max_length": 512}
QUICK = {"max_steps": 2, "threads": 1, "val_fraction": 0.0, "augment_distractors": 0.0}


def knobs(config: TrainConfig) -> dict[str, float | int | None]:
    return {"lr": config.lr, "batch_size": config.batch_size, "max_length": config.max_length}


def saved_config(checkpoint: Path) -> dict:
    return json.loads((checkpoint / META_FILE).read_text())["config"]


def test_the_tiny_model_keeps_its_knobs_when_they_are_left_to_the_base():
    assert (TINY_KNOBS, PRETRAINED_KNOBS) == (TINY, PRETRAINED)
    assert knobs(TrainConfig()) == {"lr": None, "batch_size": None, "max_length": None}
    assert knobs(resolve_knobs(TrainConfig())) == TINY
    assert base_knobs(TrainConfig()) == TINY


def test_a_pretrained_base_is_fine_tuned_gently_unless_asked(tmp_path: Path):
    base = _save_gpt2(tmp_path / "gpt2")
    assert knobs(resolve_knobs(TrainConfig(base_model=str(base)))) == PRETRAINED
    assert knobs(resolve_knobs(TrainConfig(base_model="org/model"))) == PRETRAINED  # a hub id
    asked = TrainConfig(base_model=str(base), lr=1e-4, max_length=64)
    assert knobs(resolve_knobs(asked)) == {"lr": 1e-4, "batch_size": 8, "max_length": 64}
    assert knobs(resolve_knobs(TrainConfig(batch_size=4))) == {**TINY, "batch_size": 4}


def test_the_meta_records_the_knobs_the_run_used(tmp_path: Path):
    tiny = train(examples(24, seed=1), TrainConfig(**QUICK), tmp_path / "tiny")
    assert {k: saved_config(tiny.checkpoint_dir)[k] for k in TINY} == TINY
    assert {k: tiny.metrics[k] for k in TINY} == TINY  # the job's result says so too
    base = _save_gpt2(tmp_path / "gpt2")
    gentle = train(examples(24, seed=1), TrainConfig(base_model=str(base), **QUICK), tmp_path / "pre")
    assert {k: saved_config(gentle.checkpoint_dir)[k] for k in PRETRAINED} == PRETRAINED


def test_an_fdd_checkpoint_as_base_keeps_the_knobs_it_was_trained_with(tmp_path: Path):
    tiny = train(examples(24, seed=2), TrainConfig(**QUICK), tmp_path / "tiny")
    # a warm start from a tiny checkpoint (a path, not "tiny") keeps the tiny model's knobs
    assert knobs(resolve_knobs(TrainConfig(base_model=str(tiny.checkpoint_dir)))) == TINY
    own = TrainConfig(**QUICK, lr=3e-3, batch_size=16, max_length=200)
    trained = train(examples(24, seed=2), own, tmp_path / "own")
    again = TrainConfig(base_model=str(trained.checkpoint_dir))
    assert knobs(resolve_knobs(again)) == {"lr": 3e-3, "batch_size": 16, "max_length": 200}
    assert resolve_knobs(TrainConfig(base_model=str(trained.checkpoint_dir), lr=1e-3)).lr == 1e-3


def test_training_reports_its_peak_memory(tmp_path: Path):
    result = train(examples(24, seed=3), TrainConfig(**QUICK), tmp_path / "ckpt")
    assert result.metrics["peak_memory_mb"] > 0
    assert result.metrics["tokens_per_s"] > 0


def test_the_wire_leaves_the_knobs_to_the_base_and_bounds_them_when_given():
    default = TrainingKnobs()
    assert (default.lr, default.batch_size, default.max_length) == (None, None, None)
    assert TrainingKnobs.model_validate({"lr": None, "batch_size": None, "max_length": None}).lr is None
    assert TrainingKnobs(lr=5e-5, batch_size=8, max_length=512).max_length == 512
    for bad in ({"lr": 0}, {"lr": 2.0}, {"batch_size": 0}, {"max_length": 8}, {"max_length": 10**5}):
        with pytest.raises(ValidationError, match=next(iter(bad))):
            TrainingKnobs.model_validate(bad)
    assert {"lr", "batch_size", "max_length"} <= set(TrainParams.model_fields)
