"""The Celery configuration that keeps jobs from being lost: late acks, redelivery, limits, queues."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fdd.config import core_settings
from student.celery_app import make_celery
from student.settings import StudentSettings


@pytest.fixture(autouse=True)
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The filesystem transport's folders go to a temporary state directory."""
    monkeypatch.setenv("FDD_STATE_DIR", str(tmp_path))
    core_settings.cache_clear()
    yield tmp_path
    core_settings.cache_clear()


def test_worker_loss_redelivers_instead_of_dropping():
    conf = make_celery(StudentSettings(redis_url=None)).conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_default_queue == "cpu"


def test_redis_visibility_timeout_outlasts_the_hard_time_limit():
    settings = StudentSettings(redis_url="redis://127.0.0.1:6379/0", task_time_limit_s=3600)
    conf = make_celery(settings).conf
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit == 3600
    assert conf.task_soft_time_limit < conf.task_time_limit


def test_explicit_limits_are_used_as_given():
    settings = StudentSettings(
        redis_url="redis://x:6379/0",
        task_time_limit_s=100,
        task_soft_time_limit_s=20,
        visibility_timeout_s=50,
    )
    conf = make_celery(settings).conf
    assert (conf.task_soft_time_limit, conf.broker_transport_options["visibility_timeout"]) == (20, 50)


def test_without_redis_the_filesystem_transport_needs_no_server(state_dir: Path):
    conf = make_celery(StudentSettings(redis_url=None)).conf
    assert conf.broker_url.startswith("filesystem://")
    assert conf.broker_transport_options["data_folder_in"] == str(state_dir / "celery" / "queue")


def test_job_tasks_are_registered_by_kind():
    import student.tasks  # noqa: F401 - registers the tasks on the shared app
    from student.celery_app import celery_app

    names = set(celery_app.tasks)
    assert {"student.train", "student.predict", "student.evaluate", "student.ping"} <= names
    assert celery_app.tasks["student.train"].ignore_result is True
