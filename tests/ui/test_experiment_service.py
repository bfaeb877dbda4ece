"""The experiment pages' figures without a browser: per-arm means and intervals, the paired difference from
the baseline, the budget check, which runs count, and the list of experiments."""

from __future__ import annotations

import statistics

import pytest
from scipy import stats
from sqlalchemy.orm import Session

from fdd_web.errors import NotFound
from orchestrator.errors import Invalid
from orchestrator.runs.state import RunStatus
from orchestrator.ui.experiment_service import experiment_page, experiments_overview
from tests.fixtures.orchestrator_db import db_session  # noqa: F401 - a fixture, found by name
from tests.fixtures.ui_run import build_finished_run
from tests.ui.experiment_runs import build_labelled_run

FDD = {"0": 0.50, "1": 0.56, "2": 0.53}
NO_FEEDBACK = {"0": 0.44, "1": 0.47, "2": 0.49}


def _interval(values: list[float]) -> tuple[float, float, float]:
    mean = statistics.fmean(values)
    half = stats.t.ppf(0.975, len(values) - 1) * statistics.stdev(values) / len(values) ** 0.5
    return mean, mean - half, mean + half


def _arm(page: dict, name: str) -> dict:
    return next(a for a in page["arms"] if a["name"] == name)


def _ablation(session: Session, *, nf_tokens: int = 10_000) -> None:
    for seed in FDD:
        build_labelled_run(session, "abl", "fdd", seed, accuracy=FDD[seed])
        build_labelled_run(session, "abl", "no-feedback", seed, accuracy=NO_FEEDBACK[seed],
                           teacher_requests=204, train_tokens=nf_tokens)  # fmt: skip


def test_arms_get_mean_interval_and_paired_difference(db_session: Session) -> None:  # noqa: F811
    _ablation(db_session)
    page = experiment_page(db_session, "abl", None)
    assert page["baseline"] == "fdd"
    for name, accs in (("fdd", FDD), ("no-feedback", NO_FEEDBACK)):
        mean, lo, hi = _interval([100 * a for a in accs.values()])
        got = _arm(page, name)["accuracy"]
        assert (got["mean"], got["lo"], got["hi"], got["n"]) == pytest.approx((mean, lo, hi, 3))
    (comparison,) = page["comparisons"]
    mean, lo, hi = _interval([100 * (NO_FEEDBACK[s] - FDD[s]) for s in FDD])
    diff = comparison["difference"]
    assert comparison["arm"] == "no-feedback"
    assert (diff["mean"], diff["lo"], diff["hi"]) == pytest.approx((mean, lo, hi))
    assert _arm(page, "fdd")["by_steps"]["2"]["mean"] == pytest.approx(
        100 * statistics.fmean(FDD.values()) - 20
    )
    assert _arm(page, "no-feedback")["teacher_requests"] == 204
    assert comparison["budgets"]["teacher_requests"]["ok"]  # 204 vs 200: 2 % apart
    assert comparison["budgets"]["train_tokens"]["ok"]


def test_training_tokens_more_than_5_percent_apart_are_flagged(db_session: Session) -> None:  # noqa: F811
    _ablation(db_session, nf_tokens=10_600)
    (comparison,) = experiment_page(db_session, "abl", None)["comparisons"]
    assert comparison["budgets"]["train_tokens"] == {"worst_gap": pytest.approx(600 / 10_600), "ok": False}
    assert comparison["budgets"]["teacher_requests"]["ok"]


def test_baseline_is_chosen_by_query_and_defaults_to_the_first_arm_without_fdd(
    db_session: Session,  # noqa: F811
) -> None:
    _ablation(db_session)
    page = experiment_page(db_session, "abl", "no-feedback")
    (comparison,) = page["comparisons"]
    assert comparison["arm"] == "fdd"
    assert comparison["difference"]["mean"] == pytest.approx(100 * (0.06 + 0.09 + 0.04) / 3)
    for seed in ("0", "1"):
        build_labelled_run(db_session, "k", "k=2", seed)
        build_labelled_run(db_session, "k", "k=1", seed)
    assert experiment_page(db_session, "k", None)["baseline"] == "k=1"
    with pytest.raises(Invalid, match="baseline: must be one of this experiment's arms: k=1, k=2"):
        experiment_page(db_session, "k", "fdd")


def test_one_seed_has_no_interval(db_session: Session) -> None:  # noqa: F811
    build_labelled_run(db_session, "single", "fdd", "3", accuracy=0.61)
    accuracy = _arm(experiment_page(db_session, "single", None), "fdd")["accuracy"]
    assert accuracy["mean"] == pytest.approx(61.0)
    assert (accuracy["lo"], accuracy["hi"], accuracy["text"]) == (None, None, "61.0 (n=1)")


def test_unfinished_and_replaced_runs_are_listed_but_not_counted(db_session: Session) -> None:  # noqa: F811
    old = build_labelled_run(db_session, "mixed", "fdd", "0", accuracy=0.10)
    new = build_labelled_run(db_session, "mixed", "fdd", "0", accuracy=0.50)
    build_labelled_run(db_session, "mixed", "fdd", "1", accuracy=0.60)
    running = build_labelled_run(db_session, "mixed", "fdd", "2", status=RunStatus.RUNNING)
    failed = build_labelled_run(db_session, "mixed", "fdd", "3", status=RunStatus.FAILED)
    unseeded = build_labelled_run(db_session, "mixed", "fdd", None, accuracy=0.9)
    arm = _arm(experiment_page(db_session, "mixed", None), "fdd")
    assert arm["accuracy"]["mean"] == pytest.approx(55.0)
    assert (arm["counted_seeds"], arm["other_seeds"]) == ([0, 1], ["2", "3", "–"])
    assert arm["counts"] == {"done": 4, "running": 1, "failed": 1}
    left_out = {r["id"]: r["left_out"] for r in arm["runs"]}
    assert left_out[old] == f"replaced by the newer run #{new}"
    assert left_out[new] == ""
    assert left_out[running] == "not finished"
    assert left_out[failed] == "failed"
    assert left_out[unseeded] == "no whole-number seed label"


def test_overview_lists_labelled_runs_only(db_session: Session) -> None:  # noqa: F811
    build_finished_run(db_session, "unlabelled")
    _ablation(db_session)
    build_labelled_run(db_session, "abl", "fdd", "3", status=RunStatus.PAUSED)
    build_labelled_run(db_session, "abl", "no-feedback", "3", status=RunStatus.CANCELLED)
    build_labelled_run(db_session, "newer", "a", "0")
    items = [
        i for i in experiments_overview(db_session)["items"] if i["name"] in ("newer", "abl", "unlabelled")
    ]
    assert [i["name"] for i in items] == ["newer", "abl"]
    abl = items[1]
    assert (abl["arms"], abl["seeds"], abl["runs"]) == (["fdd", "no-feedback"], ["0", "1", "2", "3"], 8)
    assert abl["counts"] == {"done": 6, "running": 1, "failed": 1}


def test_unknown_experiment_is_not_found(db_session: Session) -> None:  # noqa: F811
    build_finished_run(db_session, "unlabelled")
    with pytest.raises(NotFound):
        experiment_page(db_session, "unlabelled", None)
