"""The dashboard on SQLite, the embedded default that ``make demo`` and ``fdd up`` use: the run page
renders and its binned charts agree with Postgres' (SQLite has no floor(); its CAST truncates), and the
experiment pages find their runs by the JSON label (JSON_EXTRACT there, ``#>>`` on Postgres)."""

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
from tests.ui.experiment_runs import build_labelled_run


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


def test_experiment_pages_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'orchestrator.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        build_finished_run(session, "unlabelled")
        for seed, (a, b) in enumerate([(0.5, 0.4), (0.6, 0.45)]):
            build_labelled_run(session, "sq", "fdd", str(seed), accuracy=a)
            build_labelled_run(session, "sq", "base", str(seed), accuracy=b)
    engine.dispose()
    app = create_app(orchestrator_settings(url))
    with TestClient(app, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as client:
        listing = client.get("/ui/experiments")
        assert listing.status_code == 200
        assert re.findall(r'<tr data-experiment="([^"]+)">', listing.text) == ["sq"]
        page = client.get("/ui/experiments/sq")
        assert page.status_code == 200
        means = re.findall(r'<tr data-arm="(\w+)".*?data-mean="(-?[\d.]+)"', page.text, re.S)
        assert [(arm, round(float(mean), 6)) for arm, mean in means] == [
            ("base", 42.5),
            ("fdd", 55.0),
            ("base", -12.5),
        ]
