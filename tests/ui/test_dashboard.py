"""The dashboard in a real headless Chromium: login, the pages of a finished run and their chart numbers,
live progress, navigation round → problem → parent, keyset pages, and the pause/resume/cancel buttons."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from orchestrator.runs.models import Round, Run
from orchestrator.runs.state import RunStatus
from tests.fixtures.ui_run import ACCURACY, BY_STEPS, build_running_run
from tests.ui.conftest import UiData, log_in


def chart(page: Page, name: str, element: str = "rect.bar") -> dict[tuple[str, str], float]:
    """{(series, x): y} read back from a chart's SVG."""
    values = page.locator(f'svg[data-chart="{name}"] {element}').evaluate_all(
        "els => els.map(e => [e.dataset.series, e.dataset.x, Number(e.dataset.y)])"
    )
    return {(series, x): y for series, x, y in values}


def test_unauthenticated_visit_is_refused(page: Page, ui_server: str, ui_data: UiData) -> None:
    page.goto(f"{ui_server}/ui/runs/{ui_data.finished.run_id}")
    expect(page).to_have_url(re.compile(r"/ui/login\?next="))
    expect(page.locator("body")).not_to_contain_text("ui-finished")
    assert page.request.get(f"{ui_server}/ui/api/runs").status == 401
    log_in(page, ui_server, token="not-the-token")
    expect(page.locator(".error")).to_contain_text("not the admin token")


def test_login_returns_to_the_page_asked_for(page: Page, ui_server: str, ui_data: UiData) -> None:
    page.goto(f"{ui_server}/ui/runs/{ui_data.finished.run_id}")
    page.fill("#token", "test-admin-token")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text(f"#{ui_data.finished.run_id} ui-finished")
    cookie = next(c for c in page.context.cookies() if c["name"] == "fdd_ui")
    assert cookie["httpOnly"]
    assert cookie["sameSite"] == "Strict"
    assert "test-admin-token" not in cookie["value"]


def test_runs_page_shows_live_progress(
    page: Page, ui_server: str, ui_data: UiData, orchestrator_engine: Engine
) -> None:
    log_in(page, ui_server)
    finished = page.locator(f'tr[data-run-id="{ui_data.finished.run_id}"]')
    expect(finished.locator('[data-field="status"]')).to_have_text("done")
    expect(finished.locator('[data-field="cost"]')).to_have_text("$0.0085")
    running = page.locator(f'tr[data-run-id="{ui_data.running}"]')
    expect(running.locator('[data-field="stage"]')).to_have_text("generate")
    expect(running.locator(".progress-label")).to_have_text("1 / 4")
    with Session(orchestrator_engine) as session, session.begin():
        round_ = session.query(Round).filter_by(run_id=ui_data.running, index=0).one()
        round_.progress = {"generate": {"done": 3, "failed": 0, "pending": 1, "total": 4}}
        session.get(Run, ui_data.running).teacher_cost_usd = 0.02
    expect(running.locator(".progress-label")).to_have_text("3 / 4")
    expect(running.locator('[data-field="cost"]')).to_have_text("$0.0200")


def test_run_page_charts_carry_the_runs_numbers(page: Page, ui_server: str, ui_data: UiData) -> None:
    log_in(page, ui_server)
    page.goto(f"{ui_server}/ui/runs/{ui_data.finished.run_id}")
    accuracy = chart(page, "accuracy", "circle.point")
    assert accuracy == {(b, str(i)): a for b, accs in ACCURACY.items() for i, a in enumerate(accs)}
    steps = chart(page, "steps", "circle.point")
    assert steps == {(f"{g} steps", str(i)): a for g, accs in BY_STEPS.items() for i, a in enumerate(accs)}
    assert chart(page, "pool") == {
        ("seed", "0"): 6, ("seed", "1"): 6, ("complex", "1"): 3, ("similar", "1"): 1,
        ("seed", "2"): 6, ("complex", "2"): 4, ("similar", "2"): 1,
    }  # fmt: skip
    assert chart(page, "labels") == {
        ("easy", "0"): 4, ("hard", "0"): 1, ("no_answer", "0"): 1,
        ("easy", "1"): 6, ("hard", "1"): 3, ("no_answer", "1"): 1,
    }  # fmt: skip
    assert chart(page, "pass-rate-1") == {
        ("round 1", "0"): 2, ("round 1", "0.2"): 1, ("round 1", "0.5"): 1,
        ("round 1", "0.7"): 2, ("round 1", "0.9"): 4,
    }  # fmt: skip
    assert chart(page, "rejections") == {("leakage", "0"): 1, ("duplicate", "1"): 1}
    leakage = chart(page, "leakage")
    assert leakage == {
        ("accepted", "0.1"): 1, ("accepted", "0.15"): 1, ("accepted", "0.2"): 1, ("accepted", "0.3"): 1,
        ("accepted", "0.35"): 1, ("rejected", "0.8"): 1,
    }  # fmt: skip
    assert page.locator('svg[data-chart="leakage"] line.marker').get_attribute("data-marker") == "0.6"
    yields = page.locator("table.teacher td[data-yield]").all_inner_texts()
    assert yields == ["75.0 %", "100.0 %", "100.0 %", "0.0 %", "–", "–"]
    expect(page.locator('table.teacher tr[data-round="0"]')).to_contain_text("$0.0060")


def test_round_to_problem_to_parent(page: Page, ui_server: str, ui_data: UiData) -> None:
    run = ui_data.finished
    log_in(page, ui_server)
    page.goto(f"{ui_server}/ui/runs/{run.run_id}")
    page.click('table.rounds tr[data-round="1"] a.round-problems')
    rows = page.locator("table.problems tbody tr")
    expect(rows).to_have_count(1)
    rows.first.locator("a.problem-link").click()
    expect(page.locator("h1")).to_contain_text(f"Problem #{run.grandchild}")
    page.click("a.parent-link")
    expect(page.locator("h1")).to_contain_text(f"Problem #{run.children['c1']}")
    expect(page.locator("ol.lineage li")).to_have_count(1)
    expect(page.locator(f'ol.lineage li[data-ancestor-id="{run.seeds[0]}"]')).to_be_visible()
    expect(page.locator(f'ul.tree li[data-variant-id="{run.grandchild}"]')).to_be_visible()
    page.click("a.parent-link")
    expect(page.locator("h1")).to_contain_text(f"Problem #{run.seeds[0]}")
    expect(page.locator("ul.tree li")).to_have_count(2)


def test_problem_page_shows_rationales_and_the_students_outputs(
    page: Page, ui_server: str, ui_data: UiData
) -> None:
    log_in(page, ui_server)
    page.goto(f"{ui_server}/ui/problems/{ui_data.finished.seeds[4]}")
    expect(page.locator("article.rationale")).to_have_count(2)
    expect(page.locator('article.rationale[data-verdict="wrong_answer"]')).to_contain_text("ans = 3 - 1")
    student = page.locator("article.student-round")
    expect(student).to_have_count(2)
    expect(student.nth(0)).to_contain_text("Round 0: hard pass rate 0.0 %")
    expect(student.nth(1)).to_contain_text("Round 1: hard pass rate 25.0 %")
    expect(page.locator(f'ul.tree li[data-variant-id="{ui_data.finished.children["sim5"]}"]')).to_be_visible()


def test_problems_filter_and_keyset_pages(page: Page, ui_server: str, ui_data: UiData) -> None:
    run_id = ui_data.finished.run_id
    log_in(page, ui_server)
    page.goto(f"{ui_server}/ui/runs/{run_id}/problems")
    page.select_option("select[name=label]", "hard")
    page.fill("input[name=label_round]", "1")
    page.fill("input[name=steps]", "3")
    page.click("form.filters button[type=submit]")
    ids = page.locator("table.problems tbody tr").evaluate_all("rs => rs.map(r => r.dataset.problemId)")
    assert ids == [str(ui_data.finished.seeds[4])]
    page.goto(f"{ui_server}/ui/runs/{run_id}/problems?limit=4")
    seen: list[str] = []
    for _ in range(5):
        seen += page.locator("table.problems tbody tr").evaluate_all("rs => rs.map(r => r.dataset.problemId)")
        if page.locator("a.next").count() == 0:
            break
        page.click("a.next")
    assert seen == sorted(set(seen), key=int)
    assert len(seen) == 11


def test_buttons_pause_resume_cancel(
    page: Page, ui_server: str, ui_data: UiData, orchestrator_engine: Engine
) -> None:
    with Session(orchestrator_engine) as session, session.begin():
        run_id = build_running_run(session, "ui-buttons")

    def status() -> RunStatus:
        with Session(orchestrator_engine) as session:
            return session.get(Run, run_id).status

    log_in(page, ui_server)
    page.goto(f"{ui_server}/ui/runs/{run_id}")
    expect(page.locator("button.resume")).to_be_disabled()
    assert page.request.post(f"{ui_server}/ui/runs/{run_id}/pause").status == 403
    page.click("button.pause")
    expect(page.locator(".notice")).to_have_text("Run is now paused.")
    assert status() is RunStatus.PAUSED
    page.click("button.resume")
    expect(page.locator(".notice")).to_have_text("Run is now running.")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button.cancel")
    expect(page.locator(".notice")).to_have_text("Run is now cancelled.")
    assert status() is RunStatus.CANCELLED
    for action in ("pause", "resume", "cancel"):
        expect(page.locator(f"button.{action}")).to_be_disabled()
