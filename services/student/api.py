"""The student's HTTP routes: ``/v1/jobs``, ``/v1/checkpoints`` and ``/v1/generate``.

Each route parses its input with the wire models of ``fdd.wire.student``, calls one service function
and returns; the rules live in ``student.jobs.service``, ``student.checkpoints`` and
``student.generation``. Routes are plain functions, so FastAPI runs them in its thread pool.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from fdd.wire.student import (
    MAX_JOB_WAIT_S,
    CheckpointRead,
    GenerateRequest,
    GenerateResponse,
    JobCreate,
    JobKind,
    JobRead,
    JobStatus,
)
from fdd_web.errors import ERROR_RESPONSES
from student import checkpoints
from student.generation import PredictorCache
from student.jobs.service import JobService
from student.settings import StudentSettings


def get_jobs(request: Request) -> JobService:
    return request.app.state.jobs


def get_predictors(request: Request) -> PredictorCache:
    return request.app.state.predictors


def get_app_settings(request: Request) -> StudentSettings:
    return request.app.state.settings


Jobs = Annotated[JobService, Depends(get_jobs)]
Predictors = Annotated[PredictorCache, Depends(get_predictors)]
Settings = Annotated[StudentSettings, Depends(get_app_settings)]

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES)


@router.post("/jobs", status_code=status.HTTP_201_CREATED, tags=["jobs"])
def create_job(body: JobCreate, jobs: Jobs, response: Response) -> JobRead:
    """Queue a job (201); posting an existing id again returns that job (200), or 409 for another kind."""
    job, created = jobs.submit(body)
    if not created:
        response.status_code = status.HTTP_200_OK
    return job


@router.get("/jobs", tags=["jobs"])
def list_jobs(
    jobs: Jobs,
    status_: Annotated[JobStatus | None, Query(alias="status")] = None,
    kind: JobKind | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[JobRead]:
    """Jobs, newest first, optionally filtered by status and kind."""
    return jobs.list_jobs(status_, kind, limit)


@router.get("/jobs/{job_id}", tags=["jobs"])
def get_job(
    job_id: str,
    jobs: Jobs,
    wait: Annotated[
        float,
        Query(ge=0, le=MAX_JOB_WAIT_S, description="Seconds to hold the answer until the job has finished."),
    ] = 0.0,
) -> JobRead:
    """A job's status, progress, result and error; with ``wait``, as soon as the job has finished, or after
    ``wait`` seconds with its state then (a long poll)."""
    return jobs.get(job_id, wait)


@router.delete("/jobs/{job_id}", tags=["jobs"])
def cancel_job(job_id: str, jobs: Jobs) -> JobRead:
    """Cancel a job: a queued one at once, a running one at its worker's next check."""
    return jobs.cancel(job_id)


@router.get("/checkpoints", tags=["checkpoints"])
def list_checkpoints(settings: Settings) -> list[CheckpointRead]:
    """Every complete checkpoint under the artifacts root, newest first."""
    return checkpoints.list_checkpoints(settings)


@router.get("/checkpoints/{name}", tags=["checkpoints"])
def get_checkpoint(name: str, settings: Settings) -> CheckpointRead:
    """One checkpoint with its fdd meta (config, metrics, data hash)."""
    return checkpoints.get_checkpoint(settings, name)


@router.post("/generate", tags=["generate"])
def generate(body: GenerateRequest, predictors: Predictors) -> GenerateResponse:
    """Solve a few problems with a checkpoint, in this process (the model stays loaded)."""
    return predictors.generate(body)
