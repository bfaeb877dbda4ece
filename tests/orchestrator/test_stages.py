"""Stage steps against real Postgres, with the teacher and student faked at the HTTP boundary."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace

import pytest
import sqlalchemy as sa

from orchestrator.driver import teacher_stage, work_items
from orchestrator.driver.context import StepResult
from orchestrator.driver.stages import classify, generate, init, train
from orchestrator.enums import LabelValue, Origin, ProblemRole, WorkKind, WorkStatus
from orchestrator.problems.models import Label, Problem, Rationale, Rejection
from orchestrator.runs.models import Run, StudentJob, WorkItem
from orchestrator.runs.state import Stage, advance_stage

from .driver_fakes import FakeStudent, FakeTeacher
from .driver_setup import FAST, add_dataset, add_run, context, run_steps

QUESTIONS = [f"Mia has {i} apples. How many apples does Mia have?" for i in range(6)]


def _advance_to(maker, run_id: int, stage: Stage) -> None:
    with maker.begin() as session:
        run = session.get(Run, run_id)
        while run.stage is not stage:
            advance_stage(run)


def test_init_keeps_distinct_correct_programs_and_records_failures(db_sessionmaker):
    questions = [*QUESTIONS[:4], "An unsolvable riddle about apples."]
    run_id = add_run(db_sessionmaker, add_dataset(db_sessionmaker, questions))
    teacher = FakeTeacher()
    run_steps(init.step, context(db_sessionmaker, run_id, teacher, FakeStudent()))
    with db_sessionmaker() as s:
        items = s.scalars(sa.select(WorkItem).order_by(WorkItem.problem_id)).all()
        assert [i.status for i in items] == [WorkStatus.DONE] * 4 + [WorkStatus.FAILED]
        assert "no correct rationale" in items[-1].error
        assert s.scalar(sa.select(sa.func.count(Rationale.id))) == 8  # k=2 distinct programs each
        assert s.get(Run, run_id).teacher_cost_usd == pytest.approx(0.05)
    assert sum(teacher.calls.values()) == 5
    assert not teacher.hits


def test_init_resumes_after_a_failed_chunk_without_asking_twice(db_sessionmaker):
    run_id = add_run(db_sessionmaker, add_dataset(db_sessionmaker, QUESTIONS))
    teacher = FakeTeacher(fail_after=2)  # the step's 2nd request (of 2 problems each) is refused
    ctx = context(db_sessionmaker, run_id, teacher, FakeStudent())
    with pytest.raises(Exception, match="told to fail"):
        asyncio.run(init.step(ctx))
    with db_sessionmaker() as s:
        done = s.scalar(sa.select(sa.func.count()).where(WorkItem.status == WorkStatus.DONE))
    assert done == 2  # the answered chunk was recorded before the error surfaced
    teacher.fail_after = None
    run_steps(init.step, context(db_sessionmaker, run_id, teacher, FakeStudent()))
    assert sum(teacher.calls.values()) == 6
    assert sum(teacher.hits.values()) == 0


class _CountingTeacher(FakeTeacher):
    """Counts every request that reaches it (refused ones too) and flags the arrival of the second."""

    def __init__(self, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self.seen = 0
        self.second = threading.Event()

    def handle(self, request):  # type: ignore[no-untyped-def]
        self.seen += 1
        if self.seen == 2:
            self.second.set()
        return super().handle(request)


def test_the_teacher_answers_the_next_group_while_one_is_recorded(db_sessionmaker, monkeypatch):
    run_id = add_run(db_sessionmaker, add_dataset(db_sessionmaker, QUESTIONS))
    teacher = _CountingTeacher()
    options = replace(FAST, teacher_concurrency=1, chunks_per_step=3)  # 3 groups of one request
    overlapped, recorded = [], []
    record = teacher_stage._record

    def slow_record(session, spec, run, answered, found):  # type: ignore[no-untyped-def]
        if not overlapped:  # the first group's record waits (in its thread) for the second request
            overlapped.append(teacher.second.wait(timeout=5))
        recorded.append(len(answered))
        record(session, spec, run, answered, found)

    monkeypatch.setattr(teacher_stage, "_record", slow_record)
    assert asyncio.run(init.step(context(db_sessionmaker, run_id, teacher, FakeStudent(), options))) is (
        StepResult.MORE
    )
    assert recorded == [1, 1, 1]  # a commit per group, not one for the step
    assert overlapped == [True]  # the second request was sent before the first group was recorded
    with db_sessionmaker() as s:
        done = s.scalar(sa.select(sa.func.count()).where(WorkItem.status == WorkStatus.DONE))
    assert done == 6  # every group recorded, in one step
    assert teacher.seen == 3


def test_no_group_is_sent_after_a_failed_one(db_sessionmaker):
    run_id = add_run(db_sessionmaker, add_dataset(db_sessionmaker, QUESTIONS))
    teacher = _CountingTeacher(fail_after=2)  # the second request (of 2 problems) is refused
    options = replace(FAST, teacher_concurrency=1, chunks_per_step=3)
    with pytest.raises(Exception, match="told to fail"):
        asyncio.run(init.step(context(db_sessionmaker, run_id, teacher, FakeStudent(), options)))
    assert teacher.seen == 2  # the third request was never sent
    with db_sessionmaker() as s:
        done = s.scalar(sa.select(sa.func.count()).where(WorkItem.status == WorkStatus.DONE))
    assert done == 2  # the first group was recorded


def test_heldout_pool_gets_no_rationales(db_sessionmaker):
    run_id = add_run(
        db_sessionmaker,
        add_dataset(db_sessionmaker, QUESTIONS),
        classify_pool="heldout",
        heldout_fraction=0.34,
    )
    run_steps(init.step, context(db_sessionmaker, run_id, FakeTeacher(), FakeStudent()))
    with db_sessionmaker() as s:
        roles = dict(s.execute(sa.select(Problem.role, sa.func.count()).group_by(Problem.role)).all())
        assert roles == {ProblemRole.TRAIN: 4, ProblemRole.HELDOUT: 2}
        assert s.scalar(sa.select(sa.func.count(WorkItem.id))) == 4


def test_train_records_the_job_before_sending_and_the_checkpoint_after(db_sessionmaker):
    run_id = add_run(db_sessionmaker, add_dataset(db_sessionmaker, QUESTIONS), student={"epochs": 3})
    teacher, student = FakeTeacher(), FakeStudent()
    run_steps(init.step, context(db_sessionmaker, run_id, teacher, student))
    _advance_to(db_sessionmaker, run_id, Stage.TRAIN)
    run_steps(train.step, context(db_sessionmaker, run_id, teacher, student))
    assert student.created == [f"run{run_id}-r0-train-a0"]
    with db_sessionmaker() as s:
        job = s.scalars(sa.select(StudentJob)).one()
        assert (job.status, job.kind) == ("succeeded", "train")
        from orchestrator.runs.models import Round

        round_ = s.scalars(sa.select(Round)).one()
        assert round_.checkpoint == job.job_id
        assert round_.metrics["train"]["metrics"]["examples"] == 12
    params = student.jobs[f"run{run_id}-r0-train-a0"]["params"]
    assert (params["schedule"], params["epochs"]) == ("epochs", 3)  # the run's knobs, as they are


def test_train_sends_the_example_budget_under_the_budget_schedule(db_sessionmaker):
    student_config = {"schedule": "budget"}
    run_id = add_run(db_sessionmaker, add_dataset(db_sessionmaker, QUESTIONS), student=student_config)
    teacher, student = FakeTeacher(), FakeStudent()
    run_steps(init.step, context(db_sessionmaker, run_id, teacher, student))
    _advance_to(db_sessionmaker, run_id, Stage.TRAIN)
    run_steps(train.step, context(db_sessionmaker, run_id, teacher, student))
    params = student.jobs[f"run{run_id}-r0-train-a0"]["params"]
    assert (params["schedule"], params["budget_examples"]) == ("budget", 40_000)  # the student turns it
    assert params["init_checkpoint"] is None  # into epochs over distinct pairs; round 0 starts from the base


def test_train_sends_a_rounds_own_knobs_when_the_run_overrides_them(db_sessionmaker):
    overrides = {
        "student": {"epochs": 3},
        "student_by_round": {0: {"schedule": "tokens", "budget_tokens": 5000}},
    }
    run_id = add_run(db_sessionmaker, add_dataset(db_sessionmaker, QUESTIONS), **overrides)
    teacher, student = FakeTeacher(), FakeStudent()
    run_steps(init.step, context(db_sessionmaker, run_id, teacher, student))
    _advance_to(db_sessionmaker, run_id, Stage.TRAIN)
    run_steps(train.step, context(db_sessionmaker, run_id, teacher, student))
    params = student.jobs[f"run{run_id}-r0-train-a0"]["params"]
    assert (params["schedule"], params["budget_tokens"], params["epochs"]) == ("tokens", 5000, 3)


def _through_classify(maker, run_id: int, teacher: FakeTeacher, student: FakeStudent) -> None:
    run_steps(init.step, context(maker, run_id, teacher, student))
    _advance_to(maker, run_id, Stage.TRAIN)
    run_steps(train.step, context(maker, run_id, teacher, student))
    _advance_to(maker, run_id, Stage.CLASSIFY)
    run_steps(classify.step, context(maker, run_id, teacher, student))
    _advance_to(maker, run_id, Stage.GENERATE)


def test_classify_labels_every_pool_problem(db_sessionmaker):
    run_id = add_run(db_sessionmaker, add_dataset(db_sessionmaker, QUESTIONS))
    _through_classify(db_sessionmaker, run_id, FakeTeacher(), FakeStudent())
    with db_sessionmaker() as s:
        labels = dict(s.execute(sa.select(Label.problem_id, Label.label)).all())
    assert len(labels) == 6
    assert all((lab is LabelValue.EASY) == (pid % 2 == 0) for pid, lab in labels.items())
    assert LabelValue.NO_ANSWER in labels.values()
    assert LabelValue.HARD in labels.values()


def test_generate_adds_complex_for_easy_and_similar_for_hard_with_lineage(db_sessionmaker):
    questions = [*QUESTIONS, "Please decline this one about pears."]
    run_id = add_run(db_sessionmaker, add_dataset(db_sessionmaker, questions))
    teacher, student = FakeTeacher(), FakeStudent()
    _through_classify(db_sessionmaker, run_id, teacher, student)
    run_steps(generate.step, context(db_sessionmaker, run_id, teacher, student))
    with db_sessionmaker() as s:
        labels = dict(s.execute(sa.select(Label.problem_id, Label.label)).all())
        new = s.scalars(sa.select(Problem).where(Problem.parent_id.is_not(None))).all()
        for p in new:
            easy = labels[p.parent_id] is LabelValue.EASY
            assert p.origin is (Origin.COMPLEX if easy else Origin.SIMILAR)
            assert (p.round_created, p.teacher_model, p.answer_source.value) == (0, "fake-1", "consensus")
            assert s.scalar(sa.select(sa.func.count()).where(Rationale.problem_id == p.id)) == 1
        rejections = s.scalars(sa.select(Rejection)).all()
    assert len(new) == 6
    assert [r.reason for r in rejections] == ["declined"]


def test_generate_rejects_duplicates_and_benchmark_lookalikes(db_sessionmaker):
    bench = add_dataset(
        db_sessionmaker,
        ["Mia has 3 apples. How many apples does Mia have? (similar variant 0)"],
        name="bench",
    )
    run_id = add_run(
        db_sessionmaker,
        add_dataset(db_sessionmaker, QUESTIONS[:2]),
        leakage={"threshold": 0.8, "benchmarks": [f"dataset:{bench}"]},
    )
    teacher, student = FakeTeacher(), FakeStudent()
    _through_classify(db_sessionmaker, run_id, teacher, student)
    run_steps(generate.step, context(db_sessionmaker, run_id, teacher, student))
    with db_sessionmaker() as s:
        reasons = s.scalars(sa.select(Rejection.reason)).all()
        kept = s.scalars(sa.select(Problem).where(Problem.parent_id.is_not(None))).all()
    assert reasons == ["leakage"]  # the hard problem's similar variant copies the benchmark text
    assert len(kept) == 1
    assert kept[0].leak_score is not None
    assert kept[0].leak_score < 0.8


def test_generate_keeps_one_of_several_identical_new_problems(db_sessionmaker):
    run_id = add_run(db_sessionmaker, add_dataset(db_sessionmaker, QUESTIONS))
    teacher, student = FakeTeacher(same_text=True), FakeStudent()
    _through_classify(db_sessionmaker, run_id, teacher, student)
    run_steps(generate.step, context(db_sessionmaker, run_id, teacher, student))
    with db_sessionmaker() as s:
        kept = s.scalars(sa.select(Problem.question).where(Problem.parent_id.is_not(None))).all()
        reasons = s.scalars(sa.select(Rejection.reason)).all()
    assert sorted(kept) == ["A complex problem.", "A similar problem."]
    assert reasons == ["duplicate"] * 4


def test_generate_resumes_without_repeating_teacher_calls(db_sessionmaker):
    run_id = add_run(db_sessionmaker, add_dataset(db_sessionmaker, QUESTIONS))
    teacher, student = FakeTeacher(), FakeStudent()
    _through_classify(db_sessionmaker, run_id, teacher, student)
    before = sum(teacher.calls.values())
    ctx = context(db_sessionmaker, run_id, teacher, student)
    assert asyncio.run(generate.step(ctx)) is StepResult.MORE  # 4 of 6 parents, then "crash"
    run_steps(generate.step, context(db_sessionmaker, run_id, teacher, student))
    assert sum(teacher.calls.values()) - before == 6
    assert not teacher.hits
    with db_sessionmaker() as s:
        assert s.scalar(sa.select(sa.func.count()).where(Problem.parent_id.is_not(None))) == 6


def test_generate_stops_at_the_teacher_budget(db_sessionmaker):
    run_id = add_run(db_sessionmaker, add_dataset(db_sessionmaker, QUESTIONS), budget_usd=0.08)
    teacher, student = FakeTeacher(), FakeStudent()
    _through_classify(db_sessionmaker, run_id, teacher, student)  # INIT costs 0.06
    run_steps(generate.step, context(db_sessionmaker, run_id, teacher, student))
    with db_sessionmaker() as s:
        statuses = s.scalars(sa.select(WorkItem.status).where(WorkItem.stage == Stage.GENERATE)).all()
        errors = s.scalars(sa.select(WorkItem.error).where(WorkItem.status == WorkStatus.FAILED)).all()
    assert statuses.count(WorkStatus.DONE) == 4
    assert statuses.count(WorkStatus.FAILED) == 2
    assert all(e.startswith("budget") for e in errors)


def _prediction(verdicts: list[str]):  # type: ignore[no-untyped-def]
    from fdd.wire.student import PredictionRead

    outputs = [
        {"text": "", "program": None if v == "no_answer" else "ans = 1", "verdict": v,
         "answer": None if v == "no_answer" else 1.0}
        for v in verdicts
    ]  # fmt: skip
    correct = sum(v == "correct" for v in verdicts)
    return PredictionRead(
        id="1", outputs=outputs, answer=1.0, pass_rate=correct / len(verdicts), outcome="wrong"
    )


def test_a_problem_is_easy_when_its_pass_rate_reaches_the_threshold():
    assert classify.label_of(_prediction(["correct", "wrong", "wrong", "correct"]), 0.5) is LabelValue.EASY
    assert classify.label_of(_prediction(["correct", "wrong", "wrong", "wrong"]), 0.5) is LabelValue.HARD
    assert classify.label_of(_prediction(["correct", "wrong", "wrong", "wrong"]), 0.25) is LabelValue.EASY
    assert classify.label_of(_prediction(["no_answer", "no_answer"]), 0.5) is LabelValue.NO_ANSWER
    assert classify.label_of(_prediction(["correct"]), 1.0) is LabelValue.EASY  # greedy: k = 1
    assert classify.label_of(_prediction(["wrong", "no_answer"]), 0.5) is LabelValue.HARD


def test_a_step_loads_only_its_own_work_items(db_sessionmaker):
    run_id = add_run(db_sessionmaker, add_dataset(db_sessionmaker, QUESTIONS))
    run_steps(init.step, context(db_sessionmaker, run_id, FakeTeacher(), FakeStudent()))
    with db_sessionmaker() as s:
        round_id, ids = (
            s.execute(sa.select(WorkItem.round_id, WorkItem.problem_id)).all()[0][0],
            sorted(s.scalars(sa.select(WorkItem.problem_id)).all()),
        )
        items = work_items.by_key(s, round_id, Stage.INIT, [ids[1], ids[3], ids[3]])
        loaded = [o for o in s.identity_map.values() if isinstance(o, WorkItem)]
    assert sorted(items) == [(ids[1], WorkKind.RATIONALE), (ids[3], WorkKind.RATIONALE)]
    assert len(ids) == 6
    assert len(loaded) == 2  # not the round's six


def test_generate_plans_a_round_once_however_many_steps_it_takes(db_sessionmaker, monkeypatch):
    run_id = add_run(db_sessionmaker, add_dataset(db_sessionmaker, QUESTIONS))
    teacher, student = FakeTeacher(), FakeStudent()
    _through_classify(db_sessionmaker, run_id, teacher, student)
    calls = []
    original = generate.plan

    def counting(session, run):  # type: ignore[no-untyped-def]
        calls.append(run.round_id)
        return original(session, run)

    monkeypatch.setattr(generate, "plan", counting)
    steps = run_steps(generate.step, context(db_sessionmaker, run_id, teacher, student))
    with db_sessionmaker() as s:
        done = s.scalar(sa.select(sa.func.count()).where(WorkItem.stage == Stage.GENERATE))
    assert done == 6
    assert steps >= 3  # 6 items, 4 a step (2 chunks of 2), then DONE
    assert len(calls) == 2  # the work items' creation, then every step's pending items
