"""The GENERATE plan under each feedback mode, the verdict on new problems, and the plateau rule."""

from __future__ import annotations

import pytest

from fdd.leakage import Match
from fdd.wire.teacher import NewProblem
from orchestrator.driver.round_metrics import plateaued
from orchestrator.driver.variant_plan import Labelled, judge, plan_variants
from orchestrator.enums import LabelValue, WorkKind

LABELS = [
    Labelled(1, LabelValue.EASY, True),
    Labelled(2, LabelValue.HARD, True),
    Labelled(3, LabelValue.NO_ANSWER, True),
    Labelled(4, LabelValue.EASY, False),
]


def _kinds(items):  # type: ignore[no-untyped-def]
    return {(i.problem_id, i.kind): i.n for i in items}


def test_fdd_plan_asks_complex_for_easy_and_similar_for_hard_and_no_answer():
    plan = _kinds(plan_variants(LABELS, "fdd", n_complex=2, n_similar=1, seed=0))
    assert plan == {
        (1, WorkKind.COMPLEX): 2,
        (2, WorkKind.SIMILAR): 1,
        (3, WorkKind.SIMILAR): 1,
        (4, WorkKind.COMPLEX): 2,
    }


@pytest.mark.parametrize(
    ("mode", "kind"), [("complex_only", WorkKind.COMPLEX), ("similar_only", WorkKind.SIMILAR)]
)
def test_one_sided_ablations_keep_only_their_kind(mode, kind):
    plan = plan_variants(LABELS, mode, n_complex=1, n_similar=1, seed=0)
    assert plan
    assert {i.kind for i in plan} == {kind}


def test_random_plan_asks_as_many_variants_of_seed_problems_regardless_of_labels():
    for seed in range(20):
        plan = plan_variants(LABELS, "random", n_complex=2, n_similar=1, seed=seed)
        assert sum(i.n for i in plan) == 2 * 2 + 2 * 1
        assert {i.problem_id for i in plan} <= {1, 2, 3}  # problem 4 is not a seed problem
    assert plan_variants(LABELS, "random", 2, 1, seed=5) == plan_variants(LABELS, "random", 2, 1, seed=5)
    kinds = {i.kind for s in range(20) for i in plan_variants(LABELS, "random", 2, 1, seed=s)}
    assert kinds == {WorkKind.COMPLEX, WorkKind.SIMILAR}


def test_unknown_feedback_mode_is_refused():
    with pytest.raises(ValueError, match="unknown feedback mode"):
        plan_variants(LABELS, "psychic", 1, 1, 0)


def _new(text: str | None = "Ann has 3 pens.", accepted: bool = True, reason=None) -> NewProblem:  # type: ignore[no-untyped-def]
    return NewProblem(
        backend="b",
        model="m",
        prompt_version="v",
        parent_id="1",
        kind="complex",
        index=0,
        text=text,
        accepted=accepted,
        reason=reason,
        answer=3.0 if accepted else None,
        programs=["ans = 3"] if accepted else [],
    )


def test_judge_orders_teacher_verdict_then_duplicate_then_leakage():
    seen = {"dup"}
    assert judge(_new(None, False, "no_consensus"), None, seen, None, 0.5).reason == "no_consensus"
    assert judge(_new(), "dup", seen, Match("b1", 0.9), 0.5).reason == "duplicate"
    leak = judge(_new(), "new", seen, Match("b1", 0.5), 0.5)
    assert leak.reason == "leakage"
    assert "b1" in leak.detail
    assert "new" not in seen
    assert judge(_new(), "new", seen, Match("b1", 0.49), 0.5).accepted
    assert "new" in seen


def test_plateau_needs_patience_rounds_without_gain():
    assert not plateaued([0.5, 0.6], patience=2, min_delta=0.0)
    assert plateaued([0.5, 0.6, 0.6, 0.55], patience=2, min_delta=0.0)
    assert not plateaued([0.5, 0.6, 0.6, 0.65], patience=2, min_delta=0.0)
    assert plateaued([0.5, 0.6, 0.6, 0.65], patience=2, min_delta=0.1)
