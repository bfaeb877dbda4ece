"""All ORM models, imported here so that Alembic and the app see one complete metadata."""

from __future__ import annotations

from orchestrator.datasets.models import Dataset, DatasetProblem
from orchestrator.problems.models import Label, Problem, Rationale, Rejection
from orchestrator.runs.models import Evaluation, Round, Run, StudentJob, WorkItem

__all__ = [
    "Dataset",
    "DatasetProblem",
    "Evaluation",
    "Label",
    "Problem",
    "Rationale",
    "Rejection",
    "Round",
    "Run",
    "StudentJob",
    "WorkItem",
]
