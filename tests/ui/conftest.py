"""Dashboard tests: the orchestrator served by uvicorn on a free port, a real headless Chromium driven by
Playwright (Debian's ``/usr/bin/chromium``, nothing downloaded), and a finished and a running run.

Every ``page`` saves a full-page screenshot when its test ends, under ``reports/ui-tests/`` (or
``FDD_UI_TEST_OUTPUT``), named after the test.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from orchestrator.app import create_app
from tests.conftest import REPO
from tests.fixtures.orchestrator_db import (  # noqa: F401 - fixtures are found by name
    ADMIN_TOKEN,
    api_app,
    clean_database,
    empty_tables,
    orchestrator_engine,
    orchestrator_settings,
    orchestrator_url,
)
from tests.fixtures.processes import free_port
from tests.fixtures.ui_run import UiRun, build_finished_run, build_running_run

CHROMIUM = Path(os.environ.get("FDD_CHROMIUM", "/usr/bin/chromium"))
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip
OUTPUT = Path(os.environ.get("FDD_UI_TEST_OUTPUT", REPO / "reports" / "ui-tests"))


@dataclass
class UiData:
    finished: UiRun
    running: int


@pytest.fixture(scope="module")
def ui_server(orchestrator_url: str) -> Iterator[str]:  # noqa: F811
    app = create_app(orchestrator_settings(orchestrator_url))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the orchestrator did not start for the dashboard tests")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def ui_data(orchestrator_engine: Engine) -> Iterator[UiData]:  # noqa: F811
    with Session(orchestrator_engine) as session, session.begin():
        data = UiData(build_finished_run(session), build_running_run(session))
    yield data
    empty_tables(orchestrator_engine)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: 'make setup' installs Debian's chromium (or set FDD_CHROMIUM)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{request.node.name}.png"), full_page=True)
    context.close()


def log_in(page: Page, base: str, token: str = ADMIN_TOKEN) -> None:
    page.goto(f"{base}/ui/login")
    page.fill("#token", token)
    page.click("button[type=submit]")
