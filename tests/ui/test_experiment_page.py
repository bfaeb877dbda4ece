"""The experiment pages in a real headless Chromium: two arms × two seeds of labelled, finished runs (and a
running one) compared side by side, the numbers read back from the DOM and checked against values computed
here, the baseline selector, the budget flag, the 404 and the login wall."""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect
from scipy import stats
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from orchestrator.runs.state import RunStatus
from tests.fixtures.orchestrator_db import empty_tables
from tests.ui.conftest import OUTPUT, log_in
from tests.ui.experiment_runs import build_labelled_run

NAME = "ui/ablation v2"  # a slash and a space: the links must quote it
URL = f"/ui/experiments/{quote(NAME)}"
ACCURACY = {"fdd": {"0": 0.50, "1": 0.56}, "no-feedback": {"0": 0.44, "1": 0.47}}
TOKENS = {"fdd": {"0": 10_000, "1": 10_000}, "no-feedback": {"0": 10_000, "1": 11_000}}


@dataclass
class ExperimentRuns:
    ids: dict[tuple[str, str], int]
    running: int


@pytest.fixture(scope="module")
def experiment(orchestrator_engine: Engine) -> Iterator[ExperimentRuns]:
    with Session(orchestrator_engine) as session, session.begin():
        ids = {
            (arm, seed): build_labelled_run(
                session, NAME, arm, seed, accuracy=acc, train_tokens=TOKENS[arm][seed]
            )
            for arm, by_seed in ACCURACY.items()
            for seed, acc in by_seed.items()
        }
        running = build_labelled_run(session, NAME, "fdd", "2", status=RunStatus.RUNNING)
    yield ExperimentRuns(ids, running)
    empty_tables(orchestrator_engine)


def _interval(values: list[float]) -> tuple[float, float, float]:
    """Mean and 95 % t-interval, computed here rather than by the code under test."""
    mean = statistics.fmean(values)
    half = stats.t.ppf(0.975, len(values) - 1) * statistics.stdev(values) / len(values) ** 0.5
    return mean, mean - half, mean + half


def _estimate(page: Page, selector: str) -> tuple[float, float, float]:
    data = page.locator(f"{selector} .estimate").evaluate("e => [e.dataset.mean, e.dataset.lo, e.dataset.hi]")
    return tuple(float(v) for v in data)  # type: ignore[return-value]


def _difference(arm: str, baseline: str) -> tuple[float, float, float]:
    return _interval([100 * (ACCURACY[arm][s] - ACCURACY[baseline][s]) for s in ACCURACY[arm]])


def test_experiment_page_compares_the_arms(page: Page, ui_server: str, experiment: ExperimentRuns) -> None:
    log_in(page, ui_server)
    page.click("nav.sections >> text=Experiments")
    row = page.locator("table.experiments tr", has_text=NAME)
    expect(row.locator('[data-count="done"]')).to_have_text("4")
    expect(row.locator('[data-count="running"]')).to_have_text("1")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "test_experiment_page_compares_the_arms-list.png"), full_page=True)
    row.locator("a.experiment-link").click()
    expect(page.locator("h1")).to_have_text(f"Experiment {NAME}")
    for arm, by_seed in ACCURACY.items():
        mean, lo, hi = _interval([100 * a for a in by_seed.values()])
        assert _estimate(page, f'table.arms tr[data-arm="{arm}"] [data-field="accuracy"]') == pytest.approx(
            (mean, lo, hi)
        )
        expect(page.locator(f'table.arms tr[data-arm="{arm}"] [data-field="accuracy"]')).to_have_text(
            f"{mean:.1f} [{lo:.1f}, {hi:.1f}]"
        )
        point = page.locator(f'svg[data-chart="final-accuracy"] circle.point[data-series="{arm}"]')
        assert float(point.get_attribute("data-y") or "nan") == pytest.approx(mean / 100, abs=1e-6)
    expect(page.locator('table.arms tr[data-arm="no-feedback"] [data-field="train-tokens"]')).to_have_text(
        "10,500"
    )
    comparison = 'table.comparisons tr[data-arm="no-feedback"]'
    assert _estimate(page, f'{comparison} [data-field="difference"]') == pytest.approx(
        _difference("no-feedback", "fdd")
    )
    expect(page.locator(f'{comparison} [data-budget="train_tokens"]')).to_have_attribute("data-ok", "false")
    expect(page.locator(f'{comparison} [data-budget="train_tokens"]')).to_contain_text("differs")
    expect(page.locator(f'{comparison} [data-budget="teacher_requests"]')).to_have_attribute(
        "data-ok", "true"
    )
    unfinished = page.locator(f'table.experiment-runs tr[data-run="{experiment.running}"]')
    expect(unfinished).to_contain_text("no: not finished")

    page.select_option("select[name=baseline]", "no-feedback")
    page.click("form.baseline button[type=submit]")
    expect(page).to_have_url(re.compile(r"\?baseline=no-feedback$"))
    assert _estimate(page, 'table.comparisons tr[data-arm="fdd"] [data-field="difference"]') == pytest.approx(
        _difference("fdd", "no-feedback")
    )
    run_id = experiment.ids[("fdd", "1")]
    page.click(f'tr[data-run="{run_id}"] a.run-link')
    expect(page.locator("h1")).to_have_text(f"#{run_id} {NAME}-fdd-s1")
    page.click("a.experiment-link")
    expect(page.locator("h1")).to_have_text(f"Experiment {NAME}")


def test_unknown_experiment_is_the_404_page(page: Page, ui_server: str, experiment: ExperimentRuns) -> None:
    log_in(page, ui_server)
    response = page.goto(f"{ui_server}/ui/experiments/no-such-experiment")
    assert response is not None
    assert response.status == 404
    expect(page.locator(".error-page .error")).to_have_text("no experiment named 'no-such-experiment'")
    assert page.request.get(f"{ui_server}{URL}?baseline=nope").status == 422


def test_experiment_pages_need_a_login(page: Page, ui_server: str, experiment: ExperimentRuns) -> None:
    for path in ("/ui/experiments", URL):
        page.goto(f"{ui_server}{path}")
        expect(page).to_have_url(re.compile(r"/ui/login\?next="))
        expect(page.locator("body")).not_to_contain_text("no-feedback")
        answer = page.request.get(f"{ui_server}{path}", max_redirects=0)
        assert answer.status == 303
        assert answer.headers["location"].startswith("/ui/login?next=")
