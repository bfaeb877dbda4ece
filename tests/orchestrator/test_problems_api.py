"""A run's problems: filtered listing, lineage of a 3-generation chain, the JSONL export, rejections."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from orchestrator.enums import LabelValue
from orchestrator.problems.models import Label, Rationale
from orchestrator.runs.models import Round
from orchestrator.runs.state import RoundStatus
from tests.fixtures.problem_family import Family, build_family, label


@pytest.fixture
def family(db_sessionmaker: sessionmaker[Session]) -> Family:
    with db_sessionmaker.begin() as session:
        return build_family(session)


def ids(response) -> list[int]:  # noqa: ANN001
    assert response.status_code == 200, response.text
    return [p["id"] for p in response.json()["items"]]


def test_lineage_walks_from_grandchild_to_seed_with_label_history(
    api_client: TestClient, family: Family
) -> None:
    chain = api_client.get(f"/v1/problems/{family.grandchild}/lineage").json()["chain"]
    assert [n["id"] for n in chain] == [family.grandchild, family.child, family.seed]
    assert [n["origin"] for n in chain] == ["similar", "complex", "seed"]
    assert [n["round_created"] for n in chain] == [2, 1, 0]
    assert [n["prompt_version"] for n in chain] == ["similar-v1", "complex-v1", None]
    assert chain[1]["teacher_model"] == "synth-1"
    assert chain[1]["labels"] == [{"round": 1, "label": "hard", "pass_rate": 0.25}]
    assert [(lab["round"], lab["label"]) for lab in chain[2]["labels"]] == [(0, "easy"), (1, "easy")]
    assert api_client.get("/v1/problems/999999/lineage").status_code == 404


def test_listing_filters_by_round_origin_label_and_steps(api_client: TestClient, family: Family) -> None:
    url = f"/v1/runs/{family.run_id}/problems"
    assert ids(api_client.get(url)) == [family.seed, family.other_seed, family.child, family.grandchild]
    assert ids(api_client.get(url, params={"round": 0})) == [family.seed, family.other_seed]
    assert ids(api_client.get(url, params={"origin": "complex"})) == [family.child]
    assert ids(api_client.get(url, params={"label": "hard"})) == [family.other_seed, family.child]
    assert ids(api_client.get(url, params={"label": "hard", "label_round": 1})) == [family.child]
    assert ids(api_client.get(url, params={"steps": 2})) == [family.other_seed]
    assert api_client.get(url, params={"steps": 0}).status_code == 422
    bad = api_client.get(url, params={"origin": "alien"})
    assert bad.status_code == 422
    assert bad.json()["error"]["message"].startswith("origin:")
    assert api_client.get("/v1/runs/999999/problems").status_code == 404


def test_listing_pages_with_a_cursor(api_client: TestClient, family: Family) -> None:
    url = f"/v1/runs/{family.run_id}/problems"
    first = api_client.get(url, params={"limit": 3}).json()
    rest = api_client.get(url, params={"limit": 3, "cursor": first["next_cursor"]}).json()
    assert [p["id"] for p in first["items"] + rest["items"]] == ids(api_client.get(url))
    assert rest["next_cursor"] is None


def test_export_streams_one_json_line_per_correct_rationale(api_client: TestClient, family: Family) -> None:
    response = api_client.get(f"/v1/runs/{family.run_id}/export", params={"round": 1})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in response.text.splitlines()]
    assert [r["problem_id"] for r in rows] == [
        family.seed,
        family.other_seed,
        family.child,
    ]  # wrong one left out
    seed, _, child = rows
    assert (seed["label"], seed["origin"], seed["program"]) == ("easy", "seed", "ans = 1")
    assert (child["parent_id"], child["round_created"], child["label"]) == (family.seed, 1, "hard")
    assert set(child) >= {"question", "program", "answer", "teacher_model", "prompt_version"}
    everything = api_client.get(f"/v1/runs/{family.run_id}/export").text.splitlines()
    assert len(everything) == 4


def test_export_rows_carry_label_pass_rate_and_the_rationales_teacher(
    api_client: TestClient, family: Family, db_sessionmaker: sessionmaker[Session]
) -> None:
    with db_sessionmaker.begin() as session:
        rationale = session.scalars(select(Rationale).where(Rationale.problem_id == family.seed)).one()
        rationale.backend, rationale.model, rationale.prompt_version = "openai", "gpt-x", "pot-v2"
    response = api_client.get(f"/v1/runs/{family.run_id}/export", params={"round": 1})
    rows = {r["problem_id"]: r for r in map(json.loads, response.text.splitlines())}
    seed, other, child = rows[family.seed], rows[family.other_seed], rows[family.child]
    assert (seed["label"], seed["label_round"], seed["pass_rate"]) == ("easy", 1, 1.0)
    assert (seed["teacher_backend"], seed["teacher_model"], seed["prompt_version"]) == (
        "openai",
        "gpt-x",
        "pot-v2",
    )
    assert (other["label"], other["label_round"], other["pass_rate"]) == (
        "hard",
        0,
        0.0,
    )  # not classified in r1
    assert (child["label"], child["pass_rate"], child["teacher_model"]) == ("hard", 0.25, "synth-1")
    assert child["prompt_version"] == "complex-v1"  # the rationale names no teacher: the problem's
    assert seed["rationale_id"] == rationale.id


def test_export_of_the_final_round_keeps_the_labels_of_the_round_before(
    api_client: TestClient, family: Family, db_sessionmaker: sessionmaker[Session]
) -> None:
    with db_sessionmaker.begin() as session:  # the final round trains and evaluates: it classifies nothing
        session.add(Round(run_id=family.run_id, index=2, status=RoundStatus.DONE))
    response = api_client.get(f"/v1/runs/{family.run_id}/export", params={"round": 2})
    labels = {
        r["problem_id"]: (r["label"], r["label_round"]) for r in map(json.loads, response.text.splitlines())
    }
    assert labels == {
        family.seed: ("easy", 1), family.other_seed: ("hard", 0), family.child: ("hard", 1),
        family.grandchild: (None, None),
    }  # fmt: skip
    round0 = api_client.get(f"/v1/runs/{family.run_id}/export", params={"round": 0}).text.splitlines()
    assert [(r["label"], r["label_round"]) for r in map(json.loads, round0)] == [("easy", 0), ("hard", 0)]


def test_export_is_readable_by_datasets_json_loader(api_client: TestClient, family: Family, tmp_path) -> None:  # noqa: ANN001
    datasets = pytest.importorskip("datasets")
    path = tmp_path / "export.jsonl"
    path.write_text(api_client.get(f"/v1/runs/{family.run_id}/export").text)
    loaded = datasets.load_dataset("json", data_files=str(path), split="train")
    assert loaded.num_rows == 4
    assert loaded[0]["program"] == "ans = 1"


def test_export_of_missing_round_or_run_is_404(api_client: TestClient, family: Family) -> None:
    assert api_client.get(f"/v1/runs/{family.run_id}/export", params={"round": 5}).status_code == 404
    assert api_client.get("/v1/runs/999999/export").status_code == 404


def test_rejections_are_listed_per_round(api_client: TestClient, family: Family) -> None:
    url = f"/v1/runs/{family.run_id}/rejections"
    items = api_client.get(url).json()["items"]
    assert [(r["reason"], r["kind"], r["leak_score"]) for r in items] == [("leakage", "complex", 0.9)]
    assert api_client.get(url, params={"round": 1}).json()["items"] == []
    assert api_client.get(url, params={"reason": "duplicate"}).json()["items"] == []


def test_recording_labels_twice_keeps_the_first(db_session: Session) -> None:
    family = build_family(db_session)
    round0 = db_session.query(Round).filter_by(run_id=family.run_id, index=0).one()
    again = [(family.seed, LabelValue.HARD, 0.0), (family.child, LabelValue.EASY, 1.0)]
    assert label(db_session, round0.id, *again) == 1
    stored = db_session.query(Label).filter_by(round_id=round0.id, problem_id=family.seed).one()
    assert stored.label is LabelValue.EASY


def test_first_labels_of_a_round_keep_the_first_of_repeated_problems(db_session: Session) -> None:
    family = build_family(db_session)
    round_ = Round(run_id=family.run_id, index=2)
    db_session.add(round_)
    db_session.flush()
    twice = [(family.grandchild, LabelValue.HARD, 0.0), (family.grandchild, LabelValue.EASY, 1.0)]
    assert label(db_session, round_.id, *twice) == 1
    assert db_session.query(Label).filter_by(round_id=round_.id).one().label is LabelValue.HARD
