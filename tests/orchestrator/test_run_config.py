"""RunConfig: complete defaults, strictness, cross-field rules, and the derived epochs."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from fdd.curriculum import MAX_STEPS
from orchestrator.runs.schemas import CURRICULUM_MAX_STEPS, CurriculumSpec, RunConfig


def test_defaults_make_a_complete_offline_config_that_round_trips() -> None:
    config = RunConfig(name="default")
    assert config.seed.curriculum == CurriculumSpec()
    assert (config.rounds, config.feedback, config.classify_pool) == (3, "fdd", "train")
    assert RunConfig.model_validate(config.model_dump(mode="json")) == config


def test_seed_takes_a_dataset_or_a_curriculum_not_both() -> None:
    assert RunConfig(name="d", seed={"dataset_id": 3}).seed.curriculum is None
    with pytest.raises(ValidationError, match="either dataset_id or curriculum"):
        RunConfig(name="d", seed={"dataset_id": 3, "curriculum": {"n": 5}})


def test_unknown_keys_are_refused_at_every_level() -> None:
    with pytest.raises(ValidationError, match="evaluation.benchmark\n"):
        RunConfig(name="x", evaluation={"benchmark": ["gsm8k"]})
    with pytest.raises(ValidationError, match="unknown tiny-model settings"):  # not when the job runs
        RunConfig(name="x", student={"tiny": {"hiden": 64}})
    assert RunConfig(name="x", student={"tiny": {"hidden": 64, "dropout": 0.0}}).student.tiny["hidden"] == 64


def test_curriculum_steps_stay_within_the_grammar() -> None:
    assert CURRICULUM_MAX_STEPS == MAX_STEPS
    with pytest.raises(ValidationError, match=f"between 1 and {MAX_STEPS}"):
        CurriculumSpec(steps=[1, MAX_STEPS + 1])
