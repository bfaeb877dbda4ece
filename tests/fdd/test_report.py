"""The run report: Markdown table and plots from the orchestrator's run read (the shape the driver writes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fdd.report import build_report, rejection_counts
from fdd.report.tables import pass_rate_rows, round_rows, round_view


def evaluation(acc: float, by_steps: dict[str, float]) -> dict[str, Any]:
    return {
        "accuracy": acc,
        "n": 100,
        "by_group": {k: {"n": 20, "correct": round(20 * v), "accuracy": v} for k, v in by_steps.items()},
    }


def make_run() -> dict[str, Any]:
    rounds = []
    for index, acc in enumerate([0.4, 0.6, 0.8]):
        rounds.append(
            {
                "index": index,
                "stage": "done",
                "status": "done",
                "progress": {"train": {"done": 10, "total": 10}},
                "checkpoint": f"ck{index}",
                "metrics": {
                    "evaluations": {
                        "gsm8k": evaluation(0.01, {}),
                        "curriculum-test": evaluation(acc, {"1": 0.9, "2": acc, "10": 0.0}),
                    },
                    "pool_by_origin": {"seed": 100, "complex": 50 * index},
                    "distillation_examples": 180 + 90 * index,
                    "labels": {"easy": 80, "hard": 15, "no_answer": 5} if index < 2 else {},
                    "rejections": {"no_consensus": 3},
                    "teacher": {"calls": 10, "cache_hits": 2, "cost_usd": 0.0},
                },
            }
        )
    return {"id": 7, "name": "t", "status": "done", "teacher_cost_usd": 0.0, "config": {"rounds": 2},
            "rounds": rounds}  # fmt: skip


def test_round_view_judges_by_the_curriculum_test_set() -> None:
    view = round_view(make_run()["rounds"][1])
    assert view["benchmark"] == "curriculum-test"
    assert view["accuracy"] == 0.6
    assert view["accuracy_by_group"] == {"1": 0.9, "2": 0.6, "10": 0.0}
    assert view["set_by_origin"] == {"seed": 100, "complex": 50}


def test_round_rows_order_step_groups_numerically() -> None:
    rows = round_rows(make_run())
    assert [r[1] for r in rows] == ["40.0", "60.0", "80.0"]
    assert rows[0][2] == "1:90.0 2:40.0 10:0.0"
    assert rows[2][5] == "–"  # the final round classifies nothing


def test_report_writes_markdown_and_plots(tmp_path: Path) -> None:
    bundle = {
        "run": make_run(),
        "rejections": [{"reason": "no_consensus"}, {"reason": "leakage"}, {"reason": "no_consensus"}],
        "leak_scores": {0: [0.1, 0.2, 0.7], 1: [0.05]},
    }
    report = build_report(bundle, tmp_path / "out")
    text = report.read_text()
    assert "| 2 | 80.0 |" in text
    assert "| no_consensus | 2 |" in text
    for name in ("accuracy.png", "set_growth.png", "easy_hard.png", "leakage.png"):
        assert (tmp_path / "out" / name).read_bytes().startswith(b"\x89PNG")
        assert f"({name})" in text
    assert rejection_counts(bundle["rejections"]) == {"no_consensus": 2, "leakage": 1}
    assert "## Warnings\n\nNone.\n" in text


def test_report_lists_the_rounds_flagged_as_too_short(tmp_path: Path) -> None:
    run = make_run()
    run["rounds"][1]["metrics"]["warnings"] = [
        "accuracy collapsed on svamp: 0.0 % vs 14.0 % in the previous round"
    ]
    text = build_report({"run": run, "rejections": [], "leak_scores": {}}, tmp_path).read_text()
    assert "## Warnings\n\n- round 1: accuracy collapsed on svamp: 0.0 % vs 14.0 %" in text


def test_knobs_left_to_the_base_are_reported_as_the_student_decided_them(tmp_path: Path) -> None:
    run = {**make_run(), "config": {"student": {"base_model": "tiny", "lr": None, "batch_size": 16}}}
    text = build_report({"run": run, "rejections": [], "leak_scores": {}}, tmp_path / "a").read_text()
    assert "lr base default, batch 16," in text  # no round says what the student used
    run["rounds"][0]["metrics"]["train"] = {"metrics": {"lr": 0.002, "batch_size": 16}}
    text = build_report({"run": run, "rejections": [], "leak_scores": {}}, tmp_path / "b").read_text()
    assert "lr 0.002 (base default), batch 16," in text


def test_leakage_by_round_scores_generated_questions_against_the_test_sets() -> None:
    from fdd.cli.experiments import leakage_by_round
    from fdd.datasets import load_benchmark

    copied = load_benchmark("svamp").problems[0].question
    reports = leakage_by_round({0: [copied, "Zork quibbles 7 flarns every dusk."], 1: []}, threshold=0.5)
    assert reports[0]["count"] == 2
    assert reports[0]["above"] == 1  # the copied SVAMP question is a look-alike, the nonsense is not
    assert max(reports[0]["scores"]) == 1.0
    assert reports[1]["count"] == 0


def test_data_card_counts_the_exported_rows_and_the_rounds_up_to_the_exported_one(tmp_path: Path) -> None:
    import json

    from fdd.report.card import ExportTally, card_path, write_card

    tally = ExportTally()
    teacher = {"teacher_backend": "openai", "teacher_model": "m"}
    rows = [
        {"problem_id": 1, "origin": "seed", "label": "easy", "prompt_version": "v1", **teacher},
        {"problem_id": 1, "origin": "seed", "label": "easy", "prompt_version": "v1", **teacher},
        {"problem_id": 2, "origin": "complex", "prompt_version": "c1", "leak_score": 0.7, **teacher},
    ]  # fmt: skip
    for row in rows:
        tally.add(json.dumps(row))
    run = {**make_run(), "config": {"name": "t", "leakage": {"threshold": 0.6, "n": 3}}}
    path = write_card(run, tally, 1, tmp_path / "set.jsonl")
    assert path == tmp_path / "set.card.json" == card_path(tmp_path / "set.jsonl")
    card = json.loads(path.read_text())
    assert (card["rows"], card["problems"], card["up_to_round"]) == (3, 2, 1)
    assert card["rows_by_label"] == {"easy": 2, "unlabelled": 1}
    assert card["problems_by_origin"] == {"complex": 1, "seed": 1}
    assert card["leakage"]["problems_at_or_above_threshold"] == 1
    assert [r["round"] for r in card["teacher"]["by_round"]] == [0, 1]  # round 2 is after the export's
    assert card["teacher"]["usage"]["calls"] == 20
    assert card["teacher"]["rationales_by_teacher"][0] == {
        "backend": "openai", "model": "m", "prompt_version": "v1", "rows": 2,
    }  # fmt: skip
    assert card_path(tmp_path / "plain") == tmp_path / "plain.card.json"


def test_pass_rates_of_each_classified_round_are_tabled_with_their_shares(tmp_path: Path) -> None:
    run = make_run()
    run["rounds"][0]["metrics"]["pass_rates"] = {"0.0": 60, "0.2": 20, "1.0": 20}  # 4 samples a problem
    run["rounds"][1]["metrics"]["pass_rates"] = {"0.0": 10, "0.5": 30, "0.7": 10, "1.0": 50}
    header, rows = pass_rate_rows(run)
    assert header == ["round", "problems", "0.0", "0.2", "0.5", "0.7", "1.0"]
    assert rows == [
        ["0", "100", "60 (60 %)", "20 (20 %)", "0 (0 %)", "0 (0 %)", "20 (20 %)"],
        ["1", "100", "10 (10 %)", "0 (0 %)", "30 (30 %)", "10 (10 %)", "50 (50 %)"],
    ]  # the final round classifies nothing and has no row
    text = build_report({"run": run, "rejections": [], "leak_scores": {}}, tmp_path).read_text()
    assert "## Pass rates of the student's samples (CLASSIFY)" in text
    assert "| 1 | 100 | 10 (10 %) | 0 (0 %) | 30 (30 %) | 10 (10 %) | 50 (50 %) |" in text


def test_a_run_without_pass_rates_says_so(tmp_path: Path) -> None:
    assert pass_rate_rows(make_run()) == (["round", "problems"], [])
    text = build_report({"run": make_run(), "rejections": [], "leak_scores": {}}, tmp_path).read_text()
    assert "## Pass rates of the student's samples (CLASSIFY)\n\nNone recorded.\n" in text
