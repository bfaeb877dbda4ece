"""The dashboard on SQLite, the embedded default that ``make demo`` and ``fdd up`` use: the run page
renders and its binned charts agree with Postgres' (SQLite has no floor(); its CAST truncates)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from orchestrator.app import create_app
from orchestrator.db import make_engine
from orchestrator.migrate import upgrade
from tests.fixtures.orchestrator_db import ADMIN_TOKEN, orchestrator_settings
from tests.fixtures.ui_run import build_finished_run


def test_run_page_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'orchestrator.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        run = build_finished_run(session)
    engine.dispose()
    app = create_app(orchestrator_settings(url))
    with TestClient(app, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as client:
        page = client.get(f"/ui/runs/{run.run_id}")
        assert page.status_code == 200
        leakage = page.text.split('data-chart="leakage"')[1].split("</svg>")[0]
        bins = re.findall(r'data-series="(\w+)" data-x="([\d.]+)" data-y="(\d+)"', leakage)
        assert bins == [("accepted", x, "1") for x in ("0.1", "0.15", "0.2", "0.3", "0.35")] + [
            ("rejected", "0.8", "1")
        ]
        assert client.get(f"/ui/problems/{run.grandchild}").status_code == 200
        assert client.get(f"/ui/runs/{run.run_id}/problems", params={"steps": "3"}).status_code == 200
