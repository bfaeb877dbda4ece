"""Rules of the runs slice: create a run from a validated ``RunConfig``, read it, pause/resume/cancel it.

At creation every reference is checked: benchmarks and datasets exist, host paths lie inside the allowed
roots, and the base model can be loaded (``fdd.base_model``: a model directory, or a hub id cached here or
answered by the hub), so a bad config is one 422 rather than a run that fails a round later.

Every status change goes through ``orchestrator.runs.state.transition`` on a row locked FOR UPDATE, so an
admin action and the driver never interleave; an illegal move is a 409. The driver picks up pending runs.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Literal

from sqlalchemy.orm import Session

from fdd.base_model import ModelNotFound, check_base_model
from fdd.config import core_settings
from fdd.datasets import BENCHMARK_NAMES
from fdd.references import (
    JSONL_PREFIX,
    RefusedReference,
    check_benchmark_reference,
    check_model_reference,
    model_roots,
)
from fdd_web.errors import NotFound, Refused
from orchestrator.datasets import service as datasets
from orchestrator.errors import Invalid
from orchestrator.pagination import Page, page_of
from orchestrator.runs import repository
from orchestrator.runs.models import Round, Run
from orchestrator.runs.schemas import RoundRead, RunBrief, RunConfig, RunRead
from orchestrator.runs.state import RunStatus, Stage, transition

Action = Literal["pause", "resume", "cancel"]
KNOWN_BENCHMARKS = {name for name in BENCHMARK_NAMES if ":" not in name}
ACTION_TARGET = {"pause": RunStatus.PAUSED, "resume": RunStatus.RUNNING, "cancel": RunStatus.CANCELLED}


def _check_datasets(session: Session, config: RunConfig) -> None:
    if config.seed.dataset_id is not None and not datasets.dataset_exists(session, config.seed.dataset_id):
        raise Invalid("seed.dataset_id", f"dataset {config.seed.dataset_id} does not exist")
    for index, name in enumerate(config.evaluation.benchmarks):
        if datasets.is_reference(name):
            dataset_id = datasets.reference_id(name)
            if dataset_id is None or not datasets.dataset_exists(session, dataset_id):
                ident = name.removeprefix(datasets.REFERENCE_PREFIX)
                raise Invalid(f"evaluation.benchmarks.{index}", f"dataset {ident!r} does not exist")


def _check_references(config: RunConfig) -> None:
    """Unknown benchmarks, and host paths outside the allowed roots, are refused at creation (422)."""
    named = [("evaluation.benchmarks", config.evaluation.benchmarks)]
    named.append(("leakage.benchmarks", config.leakage.benchmarks or []))
    for field, names in named:
        for index, name in enumerate(names):
            if datasets.is_reference(name):
                continue
            try:
                check_benchmark_reference(name)
            except RefusedReference as exc:
                raise Refused(f"{field}.{index}", str(exc)) from exc
            if not name.startswith(JSONL_PREFIX) and name.lower() not in KNOWN_BENCHMARKS:
                known = ", ".join([*BENCHMARK_NAMES, "dataset:<id>"])
                raise Invalid(f"{field}.{index}", f"unknown benchmark {name!r}; known: {known}")
    roots = model_roots(core_settings().state_dir / "artifacts")
    try:  # the student's artifacts default to FDD_STATE_DIR/artifacts; the student checks its own again
        check_model_reference(config.student.base_model, roots)
    except RefusedReference as exc:
        raise Refused("student.base_model", str(exc)) from exc
    try:  # a model that cannot be loaded fails now, not after a round's retries
        check_base_model(config.student.base_model, roots)
    except ModelNotFound as exc:
        raise Invalid("student.base_model", str(exc)) from exc


def _check_queue(config: RunConfig, queues: list[str]) -> None:
    """A queue no worker takes would leave every job of the run waiting forever; the student refuses it
    too, but only when the first job is sent."""
    queue = config.student.queue
    if queue is not None and queue not in queues:
        raise Invalid("student.queue", f"unknown queue {queue!r}; known: {', '.join(queues)}")


def create_run(session: Session, config: RunConfig, queues: list[str]) -> RunRead:
    """Store a new run in ``pending`` (stage ``init``, round 0); the driver starts it. ``queues``: the
    student's queues (``OrchestratorSettings.student_queues``)."""
    _check_queue(config, queues)
    _check_references(config)
    _check_datasets(session, config)
    run = Run(
        name=config.name,
        config=config.model_dump(mode="json"),
        status=RunStatus.PENDING,
        stage=Stage.INIT,
        current_round=0,
    )
    repository.add(session, run)
    return _read(session, run)


def get_run_or_404(session: Session, run_id: int, *, for_update: bool = False) -> Run:
    run = repository.get(session, run_id, for_update=for_update)
    if run is None:
        raise NotFound(f"run {run_id} not found")
    return run


def list_runs(session: Session, limit: int, cursor: int | None, status: RunStatus | None) -> Page[RunBrief]:
    rows = repository.list_page(session, limit, cursor, status)
    return page_of(
        [RunBrief.model_validate(r, from_attributes=True) for r in rows], [r.id for r in rows], limit
    )


def get_run(session: Session, run_id: int) -> RunRead:
    return _read(session, get_run_or_404(session, run_id))


def control_run(session: Session, run_id: int, action: Action) -> RunRead:
    """Pause, resume or cancel a run through the state machine (409 when the move is illegal)."""
    run = get_run_or_404(session, run_id, for_update=True)
    transition(run, ACTION_TARGET[action])
    session.flush()
    return _read(session, run)


def get_round(session: Session, run_id: int, index: int) -> RoundRead:
    get_run_or_404(session, run_id)
    round_ = repository.round_by_index(session, run_id, index)
    if round_ is None:
        raise NotFound(f"run {run_id} has no round {index}")
    return _rounds(session, run_id, [round_])[0]


def _rounds(session: Session, run_id: int, rounds: list[Round]) -> list[RoundRead]:
    ids = [r.id for r in rounds]
    evaluations: dict[int, list[dict]] = defaultdict(list)
    for ev in repository.evaluations(session, ids):
        evaluations[ev.round_id].append(
            {"benchmark": ev.benchmark, "accuracy": ev.accuracy, "n": ev.n, "by_group": ev.by_group,
             "population_hash": ev.population_hash, "checkpoint": ev.checkpoint}
        )  # fmt: skip
    labels: dict[int, dict[str, int]] = defaultdict(dict)
    for round_id, label, n in repository.label_counts(session, ids):
        labels[round_id][label] = n
    created: dict[int, dict[str, int]] = defaultdict(dict)
    for round_created, origin, n in repository.origin_counts(session, run_id):
        created[round_created][origin] = n
    return [
        RoundRead(
            index=r.index,
            stage=r.stage,
            status=r.status,
            progress=r.progress or {},
            metrics=r.metrics or {},
            checkpoint=r.checkpoint,
            started_at=r.started_at,
            finished_at=r.finished_at,
            evaluations=evaluations[r.id],
            labels=labels[r.id],
            problems_created=created[r.index],
        )  # fmt: skip
        for r in rounds
    ]


def _read(session: Session, run: Run) -> RunRead:
    progress: dict[str, dict[str, int]] = defaultdict(
        lambda: {"done": 0, "failed": 0, "pending": 0, "total": 0}
    )
    for stage, status, n in repository.work_counts(session, run.id):
        progress[stage][status.value] += n
        progress[stage]["total"] += n
    problems: dict[str, int] = defaultdict(int)
    for _, origin, n in repository.origin_counts(session, run.id):
        problems[origin] += n
    brief = RunBrief.model_validate(run, from_attributes=True)
    return RunRead(
        **brief.model_dump(),
        config=RunConfig.model_validate(run.config),
        progress=dict(progress),
        problems=dict(problems),
        rounds=_rounds(session, run.id, repository.rounds(session, run.id)),
    )
