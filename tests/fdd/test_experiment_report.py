"""Experiments as statistics: intervals over seeds, paired differences, budget checks, the seeds-only arm."""

from __future__ import annotations

import json
import math

import pytest

from fdd.cli.experiments import (
    Experiment,
    check_config,
    local_precision,
    merge,
    parse_overrides,
    parse_seeds,
    pinned_precision,
    seeds_only_config,
    token_matched_config,
)
from fdd.report.experiment import run_record, summarise, write_summary
from fdd.report.stats import estimate, paired


def test_the_interval_is_the_t_interval_and_one_seed_has_none():
    est = estimate([40.0, 44.0, 48.0])
    assert est.mean == pytest.approx(44.0)
    half = 4.302652729911275 * 4.0 / math.sqrt(3)  # t(0.975, 2) · sd / √n
    assert (est.lo, est.hi) == (pytest.approx(44.0 - half), pytest.approx(44.0 + half))
    single = estimate([47.0])
    assert (single.lo, single.hi, single.text()) == (None, None, "47.0 (n=1)")


def test_a_paired_difference_uses_the_common_seeds_only():
    diff = paired({0: 50.0, 1: 52.0, 2: 60.0}, {0: 45.0, 1: 46.0})
    assert diff is not None
    assert (diff.n, diff.mean) == (2, pytest.approx(5.5))
    assert diff.above_zero is False  # two seeds this close give an interval that crosses zero
    assert paired({0: 1.0}, {1: 2.0}) is None


def _record(acc: float, requests: int, tokens: int, status: str = "done") -> dict:
    steps = {"1": acc + 10, "2": acc - 10}
    spent = {"teacher_tokens": 1, "variants_requested": 1, "train_seconds": 1.0, "wall_seconds": 2.0}
    return {"status": status, "accuracy": acc, "by_steps": steps, "per_round": [acc],
            "teacher_requests": requests, "train_tokens": tokens, **spent}  # fmt: skip


def test_summary_flags_budgets_that_differ_and_leaves_failed_runs_out():
    records = {
        "fdd": {0: _record(60, 1000, 100), 1: _record(62, 1000, 100), 2: _record(61, 1000, 100)},
        "base": {0: _record(50, 1000, 100), 1: _record(51, 1030, 120), 2: _record(0, 1000, 100, "failed")},
    }
    summary = summarise(records, [("fdd", "base", ["teacher_requests", "train_tokens"])])
    assert summary["arms"]["base"]["seeds"] == [0, 1]
    assert summary["arms"]["base"]["failed"] == [2]
    comparison = summary["comparisons"][0]
    assert comparison["difference"]["mean"] == pytest.approx(10.5)
    assert comparison["budgets"]["teacher_requests"]["ok"] is True  # 3 % apart
    assert comparison["budgets"]["train_tokens"]["ok"] is False  # 120 vs 100: 17 % apart
    assert summary["arms"]["fdd"]["by_steps"]["1"]["mean"] == pytest.approx(71.0)


def test_accuracy_per_extra_request_only_where_the_arm_spent_measurably_more():
    records = {
        "more": {0: _record(60, 2000, 100), 1: _record(62, 2000, 100)},
        "level": {0: _record(55, 1010, 100), 1: _record(57, 1010, 100)},
        "base": {0: _record(50, 1000, 100), 1: _record(52, 1000, 100)},
    }
    summary = summarise(records, [("more", "base", []), ("level", "base", [])])
    more, level = summary["comparisons"]
    assert more["points_per_1000_extra_requests"] == pytest.approx(10.0)  # 10 points for 1,000 more
    assert level["points_per_1000_extra_requests"] is None  # 10 more of 1,000 is no cost: no 500 per 1k


def test_an_arm_whose_runs_all_stopped_early_is_listed_without_estimates(tmp_path):
    records = {"fdd": {0: _record(60, 10, 10)}, "converge": {0: _record(59, 10, 10, "cancelled")}}
    summary = summarise(records, [("converge", "fdd", [])])
    assert summary["arms"]["converge"]["accuracy"] is None
    assert summary["arms"]["converge"]["by_steps"] == {}
    assert summary["arms"]["converge"]["failed"] == [0]
    assert summary["comparisons"][0]["difference"] is None
    assert "| converge |  (failed: [0]) | – |" in write_summary("t", records, [], tmp_path).read_text()


def test_write_summary_writes_json_markdown_and_a_plot(tmp_path):
    records = {"fdd": {0: _record(60, 10, 10), 1: _record(64, 10, 10)}, "base": {0: _record(50, 10, 10)}}
    path = write_summary("t", records, [("fdd", "base", ["train_tokens"])], tmp_path)
    text = path.read_text()
    assert "| fdd | 0,1 | 62.0 [" in text
    assert "fdd − base" in text
    assert (tmp_path / "summary.json").is_file()
    assert (tmp_path / "comparison.png").is_file()


def _round(index: int, acc: float, tokens: int, epochs: float, examples: int) -> dict:
    return {
        "index": index,
        "metrics": {
            "evaluations": {"curriculum-test": {"accuracy": acc, "n": 10, "by_group": {}}},
            "train": {
                "metrics": {"tokens": tokens, "epochs": epochs, "train_examples": examples, "seconds": 1}
            },
            "teacher": {"calls": 5, "cache_hits": 2},
        },
    }


def test_the_seeds_only_arm_gets_the_training_tokens_fdd_spent():
    bundle = {
        "run": {
            "id": 1,
            "status": "done",
            "rounds": [_round(0, 0.2, 6000, 6.0, 100), _round(1, 0.5, 18000, 6.0, 300)],
        }
    }
    record = run_record(bundle)
    assert (record["train_tokens"], record["teacher_requests"], record["per_round"]) == (
        24000,
        14,
        [20.0, 50.0],
    )
    base = {"student": {"batch_size": 10}}
    config = seeds_only_config(base, {"record": record, "bundle": bundle})
    assert config["rounds"] == 0
    assert config["student"] == {"batch_size": 10, "schedule": "tokens", "budget_tokens": 24000}
    # the no-feedback arm: FDD's tokens in each feedback round; round 0 (the same seeds, knobs) as it is
    matched = token_matched_config(base, {"feedback": "random"}, {"record": record, "bundle": bundle})
    assert matched["feedback"] == "random"
    assert matched["student"] == {"batch_size": 10}
    assert matched["student_by_round"] == {"1": {"schedule": "tokens", "budget_tokens": 18000}}


def test_an_identical_config_finished_by_another_experiment_is_reused(tmp_path, monkeypatch):
    bundle = {"run": {"id": 1, "status": "done", "rounds": [_round(0, 0.2, 6000, 6.0, 100)]}}
    finished = {"record": run_record(bundle), "bundle": bundle}
    ablation = Experiment("ablation", {"fdd": {}}, [0], tmp_path / "ablation", quick=True)
    paths = Experiment("paths", {"k=2": {"teacher": {"k": 2}}, "k=1": {"teacher": {"k": 1}}}, [0],
                       tmp_path / "paths", quick=True)  # fmt: skip
    assert paths.finished("k=2", 0) is None
    ablation.shared_path(ablation.config("fdd", 0)).write_text(json.dumps(finished))
    # the quick demo config has k = 2: the same run, whatever the experiment's and the arm's names
    assert paths.finished("k=2", 0) == finished
    assert (tmp_path / "paths" / "runs" / "k=2-s0.json").exists()
    assert paths.finished("k=1", 0) is None


def test_seeds_are_parsed_and_checked():
    import typer

    assert parse_seeds("2,0, 1") == [0, 1, 2]
    with pytest.raises(typer.BadParameter):
        parse_seeds("a,b")


def test_set_overrides_are_nested_json_values_given_to_every_arm(tmp_path):
    overrides = parse_overrides(
        ["evaluation.num_samples=4", "evaluation.easy_pass_rate=0.5", "student.queue=fast", "teacher.k=1"]
    )
    assert overrides == {
        "evaluation": {"num_samples": 4, "easy_pass_rate": 0.5},
        "student": {"queue": "fast"},
        "teacher": {"k": 1},
    }
    arms = {"fdd": {}, "k2": {"teacher": {"k": 2}}}
    experiment = Experiment("ablation", arms, [3], tmp_path / "a", quick=False, overrides=overrides)
    config = experiment.config("fdd", 3)
    assert config["evaluation"]["num_samples"] == 4
    assert config["evaluation"]["curriculum_test"] is not None  # the demo's other evaluation keys stay
    assert config["seed"]["curriculum"]["seed"] == 3
    assert config["teacher"]["k"] == 1
    assert experiment.config("k2", 3)["teacher"]["k"] == 2  # an arm's own setting wins over --set
    pinned = Experiment("a", arms, [3], tmp_path / "c", quick=False, precision="bf16",
                        overrides=parse_overrides(["student.precision=fp32"]))  # fmt: skip
    assert pinned.config("fdd", 3)["student"]["precision"] == "fp32"  # --set wins over the timed pin
    # a changed config is another run: it is not taken for the demo config's finished run
    plain = Experiment("ablation", arms, [3], tmp_path / "b", quick=False)
    assert experiment.shared_path(config) != plain.shared_path(plain.config("fdd", 3))


def test_a_bad_set_override_is_refused_naming_it():
    import typer

    from fdd.cli.demo import demo_config

    with pytest.raises(typer.BadParameter, match="KEY=VALUE"):
        parse_overrides(["evaluation.num_samples"])
    with pytest.raises(typer.BadParameter, match="KEY=VALUE"):
        parse_overrides(["evaluation..num_samples=2"])
    with pytest.raises(typer.BadParameter, match="evaluation.num_sample"):
        check_config(merge(demo_config(), parse_overrides(["evaluation.num_sample=4"])))
    with pytest.raises(typer.BadParameter, match="evaluation.num_samples"):
        check_config(merge(demo_config(), parse_overrides(["evaluation.num_samples=many"])))
    check_config(merge(demo_config(), parse_overrides(["evaluation.num_samples=4"])))


def test_arms_are_chosen_by_name_and_a_budget_taker_needs_its_reference(tmp_path):
    import typer

    from fdd.cli.experiments import MATCH_TOKENS, SEEDS_ONLY

    arms = {"fdd": {}, "no-feedback": {"feedback": "random", MATCH_TOKENS: "fdd"}, SEEDS_ONLY: {}}
    experiment = Experiment("ablation", arms, [0], tmp_path / "ablation", quick=True)
    assert experiment.selected(None) == list(arms)
    assert experiment.selected("fdd, no-feedback") == ["fdd", "no-feedback"]
    with pytest.raises(typer.BadParameter, match="unknown arm"):
        experiment.selected("fdd,nofeedback")
    with pytest.raises(typer.BadParameter, match="add fdd to --arms"):
        experiment.selected("no-feedback")
    assert experiment.config("no-feedback", 0) is None  # it waits for the fdd arm of its seed


def test_a_pinned_precision_goes_into_every_arm_unless_the_arm_sets_its_own(tmp_path):
    arms = {"fdd": {}, "fp32": {"student": {"precision": "fp32"}}}
    pinned = Experiment("ablation", arms, [0], tmp_path / "pinned", quick=True, precision="bf16")
    assert pinned.config("fdd", 0)["student"]["precision"] == "bf16"
    assert pinned.config("fdd", 0)["student"]["seed"] == 0
    assert pinned.config("fp32", 0)["student"]["precision"] == "fp32"
    free = Experiment("ablation", arms, [0], tmp_path / "free", quick=True)
    assert "precision" not in free.config("fdd", 0)["student"]  # auto: each worker decides


def test_the_local_precision_is_what_auto_takes_for_the_tiny_model(monkeypatch):
    from student.training import precision

    monkeypatch.setattr(precision, "cpu_bf16_speedup", lambda: 4.4)
    monkeypatch.setattr(precision, "_STEP_SPEEDUPS", {})
    monkeypatch.setattr(precision, "_time_steps", lambda *args: 1.7)
    assert local_precision() == "bf16"
    monkeypatch.setattr(precision, "_STEP_SPEEDUPS", {})
    monkeypatch.setattr(precision, "_time_steps", lambda *args: 1.0)
    assert local_precision() == "fp32"


def test_an_experiment_keeps_the_precision_it_decided_for_a_resume(tmp_path, monkeypatch):
    import fdd.cli.experiments as experiments

    decided = iter(["bf16", "fp32"])
    monkeypatch.setattr(experiments, "local_precision", lambda: next(decided))
    assert pinned_precision(tmp_path / "ablation") == "bf16"
    assert pinned_precision(tmp_path / "ablation") == "bf16"  # resumed: not timed again, the same answer
    assert pinned_precision(tmp_path / "other") == "fp32"
