"""The job rules in-process on real databases: submission, idempotency, claim, heartbeat, cancel, reaper.

The broker is the one boundary faked here (a dispatcher that records what it would publish); the job
rows live in SQLite and in a fresh Postgres database. Real worker processes are in ``test_worker``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, update

from fdd.wire.student import JobCreate, JobStatus
from fdd_web.errors import Conflict, NotFound, ServiceError, Unavailable
from student.db import session_factory, utcnow
from student.jobs.models import Job, check_transition
from student.jobs.runner import JobContext, claim, run_job
from student.jobs.service import JobService
from student.settings import StudentSettings
from tests.fixtures.servers import fresh_postgres_database
from tests.fixtures.student_stack import train_params


class RecordingDispatcher:
    """Stands in for the broker: records messages, or fails like an unreachable one."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []
        self.revoked: list[str] = []
        self.down = False

    def send(self, job_id: str, kind: str, queue: str) -> None:
        if self.down:
            raise ConnectionError("broker unreachable")
        self.sent.append((job_id, kind, queue))

    def revoke(self, job_id: str) -> None:
        self.revoked.append(job_id)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('jobs') / 'student.db'}"
    else:
        with fresh_postgres_database("fdd_student") as url:
            yield url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> StudentSettings:
    """Settings on the module's database, emptied for each test."""
    made = StudentSettings(
        database_url=database_url,
        artifacts_dir=tmp_path / "artifacts",
        heartbeat_interval_s=0.05,
        stale_after_s=30,
        max_attempts=2,
    )
    with session_factory(made).begin() as session:
        session.execute(delete(Job))
    return made


@pytest.fixture
def dispatcher() -> RecordingDispatcher:
    return RecordingDispatcher()


@pytest.fixture
def jobs(settings: StudentSettings, dispatcher: RecordingDispatcher) -> JobService:
    return JobService(settings, session_factory(settings), dispatcher)


def submit_train(jobs: JobService, job_id: str, **extra: Any) -> None:
    jobs.submit(JobCreate.model_validate({"id": job_id, "params": train_params(4), **extra}))


def set_row(settings: StudentSettings, job_id: str, **values: Any) -> None:
    with session_factory(settings).begin() as session:
        session.execute(update(Job).where(Job.id == job_id).values(**values))


def test_status_table_refuses_leaving_a_finished_state():
    check_transition(JobStatus.QUEUED, JobStatus.RUNNING)
    with pytest.raises(ValueError, match="cannot go from succeeded to running"):
        check_transition(JobStatus.SUCCEEDED, JobStatus.RUNNING)


def test_job_is_committed_before_its_message_and_resubmission_is_idempotent(jobs, dispatcher):
    first, created = jobs.submit(
        JobCreate.model_validate({"id": "j1", "params": train_params(4), "queue": "gpu"})
    )
    again, created_again = jobs.submit(JobCreate.model_validate({"id": "j1", "params": train_params(4)}))
    assert (created, created_again) == (True, False)
    assert first.status == again.status == JobStatus.QUEUED
    assert dispatcher.sent == [("j1", "train", "gpu")]


def test_same_id_with_another_kind_is_a_conflict(jobs, tmp_path):
    submit_train(jobs, "j1")
    body = {"id": "j1", "params": {"kind": "evaluate", "checkpoint": "j1", "benchmark": "svamp"}}
    (tmp_path / "artifacts" / "checkpoints" / "j1").mkdir(parents=True)
    (tmp_path / "artifacts" / "checkpoints" / "j1" / "fdd_meta.json").write_text("{}")
    with pytest.raises(Conflict, match="already exists as a train job"):
        jobs.submit(JobCreate.model_validate(body))


def test_broker_outage_fails_the_job_with_its_reason_and_a_retry_sends_it(jobs, dispatcher):
    dispatcher.down = True
    with pytest.raises(Unavailable, match="broker unreachable"):
        submit_train(jobs, "j1")
    failed = jobs.get("j1")
    assert failed.status == JobStatus.FAILED
    assert "could not queue the job" in (failed.error or "")
    dispatcher.down = False
    retried, created = jobs.submit(JobCreate.model_validate({"id": "j1", "params": train_params(4)}))
    assert (retried.status, retried.error, created) == (JobStatus.QUEUED, None, False)
    assert dispatcher.sent == [("j1", "train", "cpu")]


def test_redelivered_message_for_a_finished_or_live_job_does_nothing(jobs, settings):
    submit_train(jobs, "done")
    set_row(settings, "done", status="succeeded")
    assert claim(settings, "done", "w1") is None
    submit_train(jobs, "live")
    assert claim(settings, "live", "w1") is not None
    assert claim(settings, "live", "w2") is None  # heartbeat fresh: running elsewhere
    assert jobs.get("live").attempts == 1


def test_stale_running_job_is_taken_over_then_failed_after_max_attempts(jobs, settings):
    submit_train(jobs, "j1")
    assert claim(settings, "j1", "w1") is not None
    set_row(settings, "j1", heartbeat_at=utcnow() - timedelta(seconds=60))
    params, attempt = claim(settings, "j1", "w2")
    assert (params["kind"], attempt) == ("train", 2)
    set_row(settings, "j1", heartbeat_at=utcnow() - timedelta(seconds=60))
    assert claim(settings, "j1", "w3") is None
    lost = jobs.get("j1")
    assert lost.status == JobStatus.FAILED
    assert "worker lost" in (lost.error or "")


def test_only_one_of_two_racing_workers_claims_a_job(jobs, settings):
    submit_train(jobs, "j1")
    winners: list[object] = []
    barrier = threading.Barrier(2)

    def race(worker: str) -> None:
        barrier.wait()
        winners.append(claim(settings, "j1", worker))

    threads = [threading.Thread(target=race, args=(w,)) for w in ("w1", "w2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(w is not None for w in winners) == 1
    assert jobs.get("j1").attempts == 1


def test_success_records_result_and_progress(jobs, settings):
    submit_train(jobs, "j1")

    def work(ctx: JobContext) -> dict[str, Any]:
        ctx.report(stage="train", done=3, total=3, loss=0.5)
        return {"n": len(ctx.params["examples"])}

    assert run_job("j1", work, settings) == "succeeded"
    job = jobs.get("j1")
    assert job.result == {"n": 4}
    assert (job.progress.stage, job.progress.done, job.progress.loss) == ("train", 3, 0.5)


def test_error_and_time_limit_fail_the_job_with_a_reason(jobs, settings):
    class SoftLimit(Exception):
        pass

    submit_train(jobs, "boom")
    submit_train(jobs, "slow")

    def boom(ctx: JobContext) -> dict[str, Any]:
        raise ValueError("no training example fits")

    def slow(ctx: JobContext) -> dict[str, Any]:
        raise SoftLimit()

    assert run_job("boom", boom, settings) == "failed"
    assert run_job("slow", slow, settings, time_limit_errors=(SoftLimit,)) == "failed"
    assert jobs.get("boom").error == "ValueError: no training example fits"
    assert (jobs.get("slow").error or "").startswith("time limit")


def test_cancel_reaches_a_running_job_through_should_stop(jobs, settings):
    submit_train(jobs, "j1")
    started = threading.Event()

    def work(ctx: JobContext) -> dict[str, Any]:
        started.set()
        deadline = time.monotonic() + 30
        while not ctx.should_stop() and time.monotonic() < deadline:
            time.sleep(0.02)
        ctx.check_stop()
        return {}

    runner = threading.Thread(target=lambda: run_job("j1", work, settings))
    runner.start()
    assert started.wait(10)
    assert jobs.cancel("j1").status == JobStatus.RUNNING  # flagged; the worker ends it
    runner.join(30)
    assert jobs.get("j1").status == JobStatus.CANCELLED


def test_cancel_of_a_queued_job_is_immediate_and_revokes_its_message(jobs, settings, dispatcher):
    submit_train(jobs, "j1")
    cancelled = jobs.cancel("j1")
    assert cancelled.status == JobStatus.CANCELLED
    assert dispatcher.revoked == ["j1"]
    assert claim(settings, "j1", "w1") is None
    with pytest.raises(NotFound):
        jobs.cancel("nope")


def test_reaper_requeues_a_silent_job_and_fails_it_once_attempts_are_spent(jobs, settings, dispatcher):
    submit_train(jobs, "j1")
    claim(settings, "j1", "w1")
    set_row(settings, "j1", heartbeat_at=utcnow() - timedelta(seconds=60))
    assert jobs.reap() == 1
    assert jobs.get("j1").status == JobStatus.QUEUED
    assert dispatcher.sent[-1] == ("j1", "train", "cpu")
    claim(settings, "j1", "w2")
    set_row(settings, "j1", heartbeat_at=utcnow() - timedelta(seconds=60))
    assert jobs.reap() == 0
    lost = jobs.get("j1")
    assert lost.status == JobStatus.FAILED
    assert "worker lost" in (lost.error or "")
    assert "attempt 2 of 2" in (lost.error or "")


def test_a_silent_running_job_says_so_when_read(jobs, settings):
    submit_train(jobs, "j1")
    claim(settings, "j1", "w1")
    set_row(settings, "j1", heartbeat_at=utcnow() - timedelta(seconds=45))
    assert "worker silent for 45s" in (jobs.get("j1").progress.message or "")


def test_reaper_fails_a_job_that_outlived_the_hard_time_limit(jobs, settings, dispatcher):
    settings.task_time_limit_s = 10
    submit_train(jobs, "j1")
    claim(settings, "j1", "w1")
    long_ago = utcnow() - timedelta(seconds=60)
    set_row(settings, "j1", heartbeat_at=long_ago, started_at=long_ago)
    assert jobs.reap() == 0
    assert (jobs.get("j1").error or "").startswith("time limit")
    assert dispatcher.sent == [("j1", "train", "cpu")]  # the submission only: not sent again


def test_train_redelivered_after_its_checkpoint_was_saved_does_not_train_again(jobs, settings):
    from student.jobs.work import WORK

    submit_train(jobs, "j1")
    checkpoint = settings.checkpoints_root() / "j1"
    checkpoint.mkdir()
    (checkpoint / "fdd_meta.json").write_text('{"metrics": {"train_loss": 0.25}}')
    assert run_job("j1", WORK["train"], settings) == "succeeded"
    result = jobs.get("j1").result or {}
    assert (result["checkpoint"], result["metrics"]["train_loss"], result["recovered"]) == ("j1", 0.25, True)


def test_a_job_still_queued_past_the_deadline_is_sent_again_and_still_runs_once(jobs, settings, dispatcher):
    submit_train(jobs, "lost")
    submit_train(jobs, "fresh")
    assert jobs.reap() == 0  # sent a moment ago: not yet
    set_row(settings, "lost", sent_at=utcnow() - timedelta(seconds=settings.resend_queued_after_s + 5))
    assert jobs.reap() == 1
    assert dispatcher.sent[-1] == ("lost", "train", "cpu")
    assert jobs.reap() == 0  # the re-send restarted its clock
    runs = [run_job("lost", lambda ctx: {"ok": True}, settings) for _ in range(2)]  # both messages arrive
    assert runs == ["succeeded", "skipped"]
    assert jobs.get("lost").attempts == 1


@pytest.mark.parametrize("queue", ["x/y", "nope", ""])
def test_an_unknown_queue_is_refused_naming_the_known_ones(jobs, dispatcher, queue):
    with pytest.raises(ServiceError) as info:
        submit_train(jobs, "q1", queue=queue)
    assert info.value.status_code == 422
    assert info.value.message == f"queue: unknown queue {queue!r}; known: cpu, gpu"
    assert dispatcher.sent == []


def test_host_paths_outside_the_allowed_roots_are_refused_alike(jobs, settings, tmp_path):
    (tmp_path / "outside.jsonl").write_text('{"id": "a", "question": "q", "answer": 1}\n')
    (settings.checkpoints_root() / "ck").mkdir()
    (settings.checkpoints_root() / "ck" / "fdd_meta.json").write_text("{}")
    messages = set()
    for base_model in ("/etc", "/nonexistent/model", "../../x"):
        with pytest.raises(ServiceError) as info:
            jobs.submit(JobCreate.model_validate({"params": train_params(4, base_model=base_model)}))
        messages.add((info.value.status_code, info.value.code, info.value.message))
    for path in (tmp_path / "outside.jsonl", "/etc/passwd", "/nonexistent.jsonl"):
        params = {"kind": "evaluate", "checkpoint": "ck", "benchmark": f"jsonl:{path}"}
        with pytest.raises(ServiceError) as info:
            jobs.submit(JobCreate.model_validate({"params": params}))
        messages.add((info.value.status_code, info.value.code, info.value.message.split(":", 1)[0]))
    assert {(status, code) for status, code, _ in messages} == {(422, "reference_refused")}
    assert len({m for _, _, m in messages if m.startswith("params.base_model")}) == 1
    # a checkpoint of this student may be trained further
    jobs.submit(
        JobCreate.model_validate(
            {"params": train_params(4, base_model=str(settings.checkpoints_root() / "ck"))}
        )
    )


def test_a_broker_outage_during_a_resend_keeps_the_job_queued_for_the_next_pass(jobs, settings, dispatcher):
    submit_train(jobs, "j1")
    set_row(settings, "j1", sent_at=utcnow() - timedelta(seconds=settings.resend_queued_after_s + 5))
    dispatcher.down = True
    jobs.reap()
    assert jobs.get("j1").status == JobStatus.QUEUED
    dispatcher.down = False
    assert jobs.reap() == 1
    assert dispatcher.sent[-1] == ("j1", "train", "cpu")
