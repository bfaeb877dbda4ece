"""The example run config of the real-student experiment (``examples/real-student.yaml``) is a valid run:
read as ``fdd run create`` reads it and validated by the orchestrator's ``RunConfig`` (no training)."""

from __future__ import annotations

from pathlib import Path

from fdd import models
from fdd.cli.app import load_config
from orchestrator.runs.schemas import RunConfig

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "real-student.yaml"


def test_the_real_student_example_is_a_valid_one_round_gsm8k_run() -> None:
    config = RunConfig.model_validate(load_config(EXAMPLE))
    assert config.rounds == 0
    assert config.seed.dataset_id is not None
    assert config.seed.curriculum is None
    assert config.evaluation.benchmarks == ["dataset:2"]
    assert config.evaluation.curriculum_test is None
    assert config.student_for(0).lr == 5e-5  # a pre-trained base, not the tiny model's 2e-3


def test_its_base_model_is_where_models_fetch_puts_smollm2_under_the_stacks_state_dir() -> None:
    config = RunConfig.model_validate(load_config(EXAMPLE))
    assert "smollm2-135m" in models.KNOWN
    assert Path(config.student.base_model) == Path("var/stack") / models.models_dir().name / "smollm2-135m"
