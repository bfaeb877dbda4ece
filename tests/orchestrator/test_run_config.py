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


def test_tiny_model_values_are_checked_when_the_run_is_posted() -> None:
    cases = [({"hidden": -5}, "hidden"), ({"dropout": 5}, "dropout"), ({"arch": "rnn"}, "arch"),
             ({"vocab_size": 10**12}, "vocab_size"), ({"hidden": 100, "heads": 3}, "multiple")]  # fmt: skip
    for bad, field in cases:
        with pytest.raises(ValidationError, match=field):
            RunConfig(name="x", student={"tiny": bad})
    with pytest.raises(ValidationError, match="student.seed"):
        RunConfig(name="x", student={"seed": 2**70})


def test_the_student_config_is_the_train_jobs_knob_model() -> None:
    from fdd.wire.student import TrainingKnobs, TrainParams

    config = RunConfig(name="x", student={"schedule": "converge", "patience": 2, "init": "previous"})
    assert isinstance(config.student, TrainingKnobs)
    assert set(TrainingKnobs.model_fields) <= set(TrainParams.model_fields)
    with pytest.raises(ValidationError, match="student.schedule"):
        RunConfig(name="x", student={"schedule": "forever"})
    with pytest.raises(ValidationError, match="student.precision"):
        RunConfig(name="x", student={"precision": "fp16"})


def test_configs_stored_before_the_schedule_existed_still_read() -> None:
    legacy = {"epochs": None, "train_budget_examples": 15000, "seed": 0}
    student = RunConfig(name="x", student=legacy, teacher={"backend": None}).student
    assert (student.schedule, student.budget_examples) == ("budget", 15000)
    assert RunConfig(name="x", student={"epochs": 6}).student.schedule == "epochs"


def test_a_teacher_backend_in_the_run_config_is_refused_not_ignored() -> None:
    with pytest.raises(ValidationError, match="FDD_TEACHER_BACKEND"):
        RunConfig(name="x", teacher={"backend": "openai"})


def test_the_paraphrase_threshold_defaults_to_fdds_calibrated_one() -> None:
    from fdd.leakage import CONTENT_THRESHOLD

    assert RunConfig(name="x").leakage.content_threshold == CONTENT_THRESHOLD
    with pytest.raises(ValidationError, match="leakage.content_threshold"):
        RunConfig(name="x", leakage={"content_threshold": 0})


def test_a_round_can_override_the_training_knobs_and_a_bad_override_names_its_field() -> None:
    config = RunConfig(
        name="x",
        student={"epochs": 6, "lr": 1e-3},
        student_by_round={2: {"schedule": "tokens", "budget_tokens": 9}},
    )
    assert (config.student_for(1).schedule, config.student_for(1).epochs) == ("epochs", 6)
    two = config.student_for(2)
    assert (two.schedule, two.budget_tokens, two.lr, two.epochs) == ("tokens", 9, 1e-3, 6)
    assert RunConfig.model_validate(config.model_dump(mode="json")).student_for(2) == two
    with pytest.raises(ValidationError, match="round 4 is not one of this run's rounds 0-3"):
        RunConfig(name="x", student_by_round={4: {"epochs": 2}})
    with pytest.raises(ValidationError, match="student_by_round.1.budget_tokens"):
        RunConfig(name="x", student_by_round={1: {"budget_tokens": 0}})
    with pytest.raises(ValidationError, match="student_by_round.1.epoch"):
        RunConfig(name="x", student_by_round={1: {"epoch": 2}})


def test_labels_are_short_tags_that_round_trip() -> None:
    config = RunConfig(name="x", labels={"experiment": "ablation", "arm": "fdd", "seed": "0"})
    assert RunConfig.model_validate(config.model_dump(mode="json")).labels["arm"] == "fdd"
    with pytest.raises(ValidationError, match="labels.arm"):
        RunConfig(name="x", labels={"arm": ""})
    with pytest.raises(ValidationError, match="labels"):
        RunConfig(name="x", labels={str(i): "v" for i in range(17)})


def test_the_learning_rate_may_be_left_to_the_base_per_run_or_per_round() -> None:
    config = RunConfig(name="x", student={"lr": None}, student_by_round={1: {"lr": 1e-4, "batch_size": None}})
    assert (config.student.lr, config.student.batch_size, config.student.max_length) == (None, None, None)
    assert (config.student_for(1).lr, config.student_for(2).lr) == (1e-4, None)
    assert RunConfig.model_validate(config.model_dump(mode="json")).student_for(1) == config.student_for(1)
    with pytest.raises(ValidationError, match="student.lr"):
        RunConfig(name="x", student={"lr": 0})
    with pytest.raises(ValidationError, match="student_by_round.1.lr"):
        RunConfig(name="x", student_by_round={1: {"lr": 0}})
