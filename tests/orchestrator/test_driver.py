"""The driver loop on Postgres: whole runs, pause/resume/cancel, leases between replicas, failures."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import sqlalchemy as sa

from orchestrator.driver import leases
from orchestrator.driver.loop import Driver
from orchestrator.runs.models import Evaluation, Round, Run
from orchestrator.runs.state import RoundStatus, RunStatus, Stage, transition

from .driver_fakes import FakeStudent, FakeTeacher
from .driver_setup import FAST, add_dataset, add_run, clients

QUESTIONS = [f"Tom has {i} marbles. How many marbles does Tom have?" for i in range(6)]


def _driver(maker, teacher: FakeTeacher, student: FakeStudent, owner: str = "replica-a", **options) -> Driver:  # type: ignore[no-untyped-def]
    teacher_client, student_client = clients(teacher, student)
    return Driver(maker, teacher_client, student_client, replace(FAST, **options), owner=owner)


def _set_status(maker, run_id: int, status: RunStatus) -> None:  # type: ignore[no-untyped-def]
    with maker.begin() as session:
        transition(session.get(Run, run_id), status)


def _run(maker, run_id: int) -> Run:  # type: ignore[no-untyped-def]
    with maker() as session:
        return session.get(Run, run_id)


def test_two_round_run_goes_through_every_stage_to_done(db_sessionmaker):
    bench = add_dataset(db_sessionmaker, ["A benchmark problem about kites."], name="bench")
    evaluation = {"benchmarks": [f"dataset:{bench}"], "curriculum_test": None}
    run_id = add_run(
        db_sessionmaker, add_dataset(db_sessionmaker, QUESTIONS), rounds=2, evaluation=evaluation
    )
    teacher, student = FakeTeacher(), FakeStudent()
    asyncio.run(_driver(db_sessionmaker, teacher, student).drive_until_idle(run_id))
    run = _run(db_sessionmaker, run_id)
    assert (run.status, run.stage, run.current_round, run.lease_owner) == (
        RunStatus.DONE,
        Stage.DONE,
        2,
        None,
    )
    stages = [j.split("-")[2] for j in student.created]
    assert stages == ["train", "evaluate", "classify"] * 2 + ["train", "evaluate"]
    with db_sessionmaker() as s:
        rounds = s.scalars(sa.select(Round).order_by(Round.index)).all()
        assert [r.status for r in rounds] == [RoundStatus.DONE] * 3
        assert s.scalar(sa.select(sa.func.count(Evaluation.id))) == 3
    first, last = rounds[0].metrics, rounds[2].metrics
    assert first["labels"] == {"easy": 3, "hard": 2, "no_answer": 1}
    assert first["created_by_origin"] == {"complex": 3, "similar": 3}
    assert first["teacher"]["calls"] == 6 + 6  # INIT's 6 rationales and the round's 6 variant requests
    # where the round's time went: wall time per stage, and the student's compute inside its jobs
    assert {"train", "evaluate", "classify", "generate"} <= set(first["timing"])
    assert all(v >= 0 for k, v in first["timing"].items() if not k.startswith("_"))
    assert set(first["compute"]) == {"train", "evaluate", "classify"}
    assert {"train", "evaluate"} <= set(last["timing"])
    assert "generate" not in last["timing"]
    assert first["evaluations"][f"dataset:{bench}"]["accuracy"] == 0.5
    assert last["pool_by_origin"]["seed"] == 6
    assert "train" in last


def _logged(log: list, name: str, handle):  # type: ignore[no-untyped-def]
    def logging_handle(request):  # type: ignore[no-untyped-def]
        if request.method == "POST":
            log.append((name, request.url.path))
        return handle(request)

    return logging_handle


def _benchmark(maker) -> str:  # type: ignore[no-untyped-def]
    return f"dataset:{add_dataset(maker, ['A benchmark problem about kites.'], name='bench')}"


def test_the_student_evaluates_a_feedback_round_while_the_teacher_writes(db_sessionmaker):
    bench = _benchmark(db_sessionmaker)
    evaluation = {"benchmarks": [bench], "curriculum_test": {"n": 4, "steps": [1], "seed": 1}}
    evaluation["beside_teacher"] = True
    run_id = add_run(db_sessionmaker, add_dataset(db_sessionmaker, QUESTIONS), evaluation=evaluation)
    teacher, student, log = FakeTeacher(), FakeStudent(), []
    teacher.handle = _logged(log, "teacher", teacher.handle)  # type: ignore[method-assign]
    student.handle = _logged(log, "student", student.handle)  # type: ignore[method-assign]
    asyncio.run(_driver(db_sessionmaker, teacher, student).drive_until_idle(run_id))
    assert _run(db_sessionmaker, run_id).status is RunStatus.DONE
    jobs = [j.split("-")[2] for j in student.created]
    assert jobs == ["train", "classify", "evaluate", "evaluate", "train", "evaluate", "evaluate"]
    sent = dict(
        zip(student.created, [i for i, e in enumerate(log) if e == ("student", "/v1/jobs")], strict=True)
    )
    variants = [i for i, entry in enumerate(log) if entry == ("teacher", "/v1/variants")]
    # the first benchmark's job goes before the teacher is asked for the round's problems; the second is sent
    # by EVALUATE once the first is stored, so that the run's evaluations never run side by side
    assert sent[f"run{run_id}-r0-evaluate-0-a0"] < variants[0]
    assert sent[f"run{run_id}-r0-evaluate-1-a0"] > variants[-1]
    with db_sessionmaker() as s:
        first = s.scalars(sa.select(Round).where(Round.run_id == run_id, Round.index == 0)).one().metrics
    assert first["evaluations"][bench]["accuracy"] == 0.5  # collected before the round closed
    assert set(first["evaluations"]) == {bench, "curriculum-test"}
    assert set(first["timing"]) - {"_since"} == {"init", "train", "classify", "generate", "evaluate"}


def test_a_run_evaluates_before_it_classifies_by_default_and_with_a_stop_criterion(db_sessionmaker):
    evaluation = {"benchmarks": [_benchmark(db_sessionmaker)], "curriculum_test": None}
    beside = {**evaluation, "beside_teacher": True}
    serial = [
        {"budget_usd": 100.0, "evaluation": beside},
        {"plateau": {"patience": 3}, "evaluation": beside},
        {"evaluation": evaluation},  # the default
    ]
    seeds = add_dataset(db_sessionmaker, QUESTIONS)
    for config in serial:
        run_id = add_run(db_sessionmaker, seeds, **config)
        student = FakeStudent()
        asyncio.run(_driver(db_sessionmaker, FakeTeacher(), student).drive_until_idle(run_id))
        assert _run(db_sessionmaker, run_id).status is RunStatus.DONE
        jobs = [j.split("-")[2] for j in student.created]
        assert jobs == ["train", "evaluate", "classify", "train", "evaluate"]


def test_paused_run_is_let_go_and_finishes_after_resume(db_sessionmaker):
    run_id = add_run(db_sessionmaker, add_dataset(db_sessionmaker, QUESTIONS))
    teacher, student = FakeTeacher(), FakeStudent(hold=True)

    async def scenario() -> None:
        driver = _driver(db_sessionmaker, teacher, student)
        task = asyncio.create_task(driver.drive_until_idle(run_id))
        while not student.created:  # the train job is running at the student
            await asyncio.sleep(0.01)
        await asyncio.to_thread(_set_status, db_sessionmaker, run_id, RunStatus.PAUSED)
        await asyncio.wait_for(task, timeout=30)

    asyncio.run(scenario())
    assert _run(db_sessionmaker, run_id).status is RunStatus.PAUSED
    assert _run(db_sessionmaker, run_id).lease_owner is None
    assert student.cancelled == []
    _set_status(db_sessionmaker, run_id, RunStatus.RUNNING)
    student.hold = False
    for job in student.jobs.values():
        job["status"] = "succeeded"
    asyncio.run(_driver(db_sessionmaker, teacher, student).drive_until_idle(run_id))
    assert _run(db_sessionmaker, run_id).status is RunStatus.DONE
    assert sum(1 for j in student.created if "-train-" in j) == 2  # round 0 and the final round, once each


def test_a_running_student_job_is_followed_by_long_polls_of_the_poll_interval(db_sessionmaker):
    run_id = add_run(db_sessionmaker, add_dataset(db_sessionmaker, QUESTIONS))
    teacher, student = FakeTeacher(), FakeStudent(hold=True)

    async def scenario() -> None:
        driver = _driver(db_sessionmaker, teacher, student, poll_s=0.05)
        task = asyncio.create_task(driver.drive_until_idle(run_id))
        while len(student.waits) < 3:  # the train job is running: the driver keeps looking
            await asyncio.sleep(0.01)
        await asyncio.to_thread(_set_status, db_sessionmaker, run_id, RunStatus.CANCELLED)
        await asyncio.wait_for(task, timeout=30)

    asyncio.run(scenario())
    assert student.created == [f"run{run_id}-r0-train-a0"]
    assert set(student.waits) == {0.05}  # each look holds at the student until the job ends (or 0.05 s)


def test_cancel_stops_the_run_and_its_student_job(db_sessionmaker):
    run_id = add_run(db_sessionmaker, add_dataset(db_sessionmaker, QUESTIONS))
    teacher, student = FakeTeacher(), FakeStudent(hold=True)

    async def scenario() -> None:
        driver = _driver(db_sessionmaker, teacher, student)
        task = asyncio.create_task(driver.drive_until_idle(run_id))
        while not student.created:
            await asyncio.sleep(0.01)
        await asyncio.to_thread(_set_status, db_sessionmaker, run_id, RunStatus.CANCELLED)
        await asyncio.wait_for(task, timeout=30)

    asyncio.run(scenario())
    assert _run(db_sessionmaker, run_id).status is RunStatus.CANCELLED
    assert student.cancelled == student.created == [f"run{run_id}-r0-train-a0"]


def test_a_run_is_leased_by_one_replica_at_a_time(db_sessionmaker):
    run_id = add_run(db_sessionmaker, add_dataset(db_sessionmaker, QUESTIONS))
    with db_sessionmaker.begin() as s:
        assert leases.claim_runs(s, "a", 30, 5, set()) == [run_id]
    with db_sessionmaker.begin() as s:
        assert leases.claim_runs(s, "b", 30, 5, set()) == []
        assert not leases.renew_lease(s, run_id, "b", 30)
        assert leases.load_snapshot(s, run_id, "b") is None
    with db_sessionmaker.begin() as s:
        leases.release_lease(s, run_id, "a")
    with db_sessionmaker.begin() as s:
        assert leases.claim_runs(s, "b", -1, 5, set()) == [run_id]  # a lease that is already expired
    with db_sessionmaker.begin() as s:
        assert leases.claim_runs(s, "a", 30, 5, set()) == [run_id]  # … is taken over


def test_concurrent_replicas_never_claim_the_same_run(db_sessionmaker):
    dataset = add_dataset(db_sessionmaker, QUESTIONS)
    run_ids = {add_run(db_sessionmaker, dataset) for _ in range(4)}

    def claim(owner: str) -> list[int]:
        with db_sessionmaker.begin() as s:
            return leases.claim_runs(s, owner, 30, 4, set())

    async def race() -> list[list[int]]:
        return await asyncio.gather(*(asyncio.to_thread(claim, f"r{i}") for i in range(4)))

    claimed = [rid for ids in asyncio.run(race()) for rid in ids]
    assert sorted(claimed) == sorted(run_ids)


def test_a_stage_that_keeps_failing_fails_the_run_with_the_reason(db_sessionmaker):
    run_id = add_run(db_sessionmaker, add_dataset(db_sessionmaker, QUESTIONS))
    teacher = FakeTeacher(fail_after=0)
    asyncio.run(_driver(db_sessionmaker, teacher, FakeStudent(), max_attempts=2).drive_until_idle(run_id))
    run = _run(db_sessionmaker, run_id)
    assert run.status is RunStatus.FAILED
    assert run.error.startswith("init (round 0): TeacherError")
    assert "told to fail" in run.error


def test_a_warm_started_run_trains_each_round_from_the_previous_checkpoint(db_sessionmaker):
    run_id = add_run(
        db_sessionmaker, add_dataset(db_sessionmaker, QUESTIONS), rounds=2, student={"init": "previous"}
    )
    teacher, student = FakeTeacher(), FakeStudent()
    asyncio.run(_driver(db_sessionmaker, teacher, student).drive_until_idle(run_id))
    assert _run(db_sessionmaker, run_id).status is RunStatus.DONE
    trains = [j for j in student.created if "-train-" in j]
    starts = [student.jobs[j]["params"]["init_checkpoint"] for j in trains]
    assert starts == [None, trains[0], trains[1]]  # round 0 from the base, then each from the last


def test_every_student_job_of_a_run_goes_to_its_queue(db_sessionmaker):
    bench = add_dataset(db_sessionmaker, ["A benchmark problem about kites."], name="bench")
    evaluation = {"benchmarks": [f"dataset:{bench}"], "curriculum_test": None}
    seeds = add_dataset(db_sessionmaker, QUESTIONS)
    on_gpu = add_run(db_sessionmaker, seeds, student={"queue": "gpu"}, evaluation=evaluation)
    default = add_run(db_sessionmaker, seeds, evaluation=evaluation)
    teacher, student = FakeTeacher(), FakeStudent()
    for run_id in (on_gpu, default):
        asyncio.run(_driver(db_sessionmaker, teacher, student).drive_until_idle(run_id))
        assert _run(db_sessionmaker, run_id).status is RunStatus.DONE
    queues = {(job_id.split("-")[0], job["kind"], job["queue"]) for job_id, job in student.jobs.items()}
    kinds = {"train", "evaluate", "predict"}
    assert queues == {(f"run{on_gpu}", k, "gpu") for k in kinds} | {(f"run{default}", k, None) for k in kinds}
    assert all("queue" not in job["params"] for job in student.jobs.values())  # not a training knob
