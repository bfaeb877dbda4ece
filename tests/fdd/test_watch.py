"""``fdd watch``: which stages a run's progress bars show as finished, in the run's own stage order."""

from __future__ import annotations

from fdd.cli.watch import passed
from fdd.wire.runs import BESIDE, SERIAL, round_stages


def test_a_stage_is_finished_once_the_run_has_moved_past_it_in_its_own_order():
    # beside the teacher: round 1's evaluation is sent as GENERATE starts and is not finished during it
    assert not passed((1, "evaluate-0"), (1, "generate"), BESIDE)
    assert passed((1, "classify"), (1, "generate"), BESIDE)
    assert passed((1, "evaluate-0"), (2, "train"), BESIDE)
    assert not passed((1, "generate"), (1, "generate"), BESIDE)  # the current stage shows its own count
    # the serial order: evaluation comes before classify
    assert passed((1, "evaluate-0"), (1, "classify"), SERIAL)
    assert not passed((1, "generate"), (1, "classify"), SERIAL)
    assert passed((0, "init"), (0, "train"), SERIAL)
    assert passed((3, "evaluate-1"), (3, "done"), BESIDE)


def test_the_order_is_the_runs_config():
    told = {"beside_teacher": True}
    assert round_stages({"rounds": 3}) == SERIAL
    assert round_stages({"evaluation": told}) == BESIDE
    assert round_stages({"evaluation": told, "plateau": {"patience": 2}}) == SERIAL
    assert round_stages({"evaluation": told, "budget_usd": 5.0}) == SERIAL
