"""Builders for driver tests: a dataset of seed problems, a run, its lease and a stage context."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from fdd.clients.student import StudentClient
from fdd.clients.teacher import TeacherClient
from orchestrator.datasets.models import Dataset, DatasetProblem
from orchestrator.driver import leases
from orchestrator.driver.context import DriverOptions, StageContext
from orchestrator.driver.keys import text_hash
from orchestrator.enums import DatasetSource
from orchestrator.runs.models import Run
from orchestrator.runs.schemas import RunConfig

from .driver_fakes import FakeStudent, FakeTeacher

OWNER = "test-owner"
FAST = DriverOptions(interval_s=0.01, teacher_chunk=2, chunks_per_step=2, poll_s=0.0, backoff_s=0.0)


def add_dataset(maker: sessionmaker[Session], questions: list[str], name: str = "seeds") -> int:
    """A dataset whose i-th problem is ``questions[i]`` with answer i + 1; returns its id."""
    with maker.begin() as session:
        dataset = Dataset(name=name, source=DatasetSource.JSONL, spec={}, population_hash="x", n_problems=0)
        session.add(dataset)
        session.flush()
        session.add_all(
            DatasetProblem(
                dataset_id=dataset.id,
                external_id=f"q{i}",
                question=q,
                answer=float(i + 1),
                content_hash=text_hash(q),
                meta={"steps": 1},
            )
            for i, q in enumerate(questions)
        )
        return dataset.id


def add_run(maker: sessionmaker[Session], dataset_id: int, **overrides: Any) -> int:
    """A pending run on the dataset with a small config (``overrides`` replace top-level config keys)."""
    values: dict[str, Any] = {
        "name": "test run",
        "seed": {"dataset_id": dataset_id},
        "rounds": 1,
        "teacher": {"k": 2, "k_variants": 2, "min_agree": 1},
        "evaluation": {"benchmarks": [], "curriculum_test": None},
        **overrides,
    }
    config = RunConfig.model_validate(values)
    with maker.begin() as session:
        run = Run(name=config.name, config=config.model_dump(mode="json"))
        session.add(run)
        session.flush()
        return run.id


def clients(teacher: FakeTeacher, student: FakeStudent) -> tuple[TeacherClient, StudentClient]:
    return (
        TeacherClient("http://teacher", transport=teacher.transport(), attempts=1),
        StudentClient("http://student", transport=student.transport(), attempts=1),
    )


def context(
    maker: sessionmaker[Session], run_id: int, teacher: FakeTeacher, student: FakeStudent, options=FAST
) -> StageContext:
    """Lease the run and read its snapshot, as the driver does before a step."""
    with maker.begin() as session:
        leases.claim_runs(session, OWNER, 30, 1, set())
    with maker.begin() as session:
        snapshot = leases.load_snapshot(session, run_id, OWNER)
    assert snapshot is not None
    teacher_client, student_client = clients(teacher, student)
    return StageContext(snapshot, maker, teacher_client, student_client, options)


def run_steps(step, ctx: StageContext, limit: int = 50) -> int:  # type: ignore[no-untyped-def]
    """Call ``step`` until it says DONE; return how many calls it took."""
    from orchestrator.driver.context import StepResult

    for n in range(1, limit + 1):
        if asyncio.run(step(ctx)) is StepResult.DONE:
            return n
    raise AssertionError(f"stage not done after {limit} steps")
