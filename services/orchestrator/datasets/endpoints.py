"""HTTP endpoints of the datasets slice: parse, call one service function, return."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from fdd_web.params import Id
from orchestrator.datasets import service
from orchestrator.datasets.schemas import DatasetCreate, DatasetDetail, DatasetRead
from orchestrator.db import DbSession
from orchestrator.pagination import Cursor, Limit, Page

router = APIRouter(prefix="/datasets", tags=["datasets"])


@router.post("", status_code=status.HTTP_201_CREATED)
def create_dataset(body: DatasetCreate, session: DbSession, request: Request) -> DatasetRead:
    """Import a benchmark, an uploaded list of problems, or a synthetic curriculum set."""
    return service.create_dataset(session, body, request.app.state.settings.data_dir)


@router.get("")
def list_datasets(session: DbSession, limit: Limit = 100, cursor: Cursor = None) -> Page[DatasetRead]:
    return service.list_datasets(session, limit, cursor)


@router.get("/{dataset_id}")
def get_dataset(dataset_id: Id, session: DbSession) -> DatasetDetail:
    return service.get_dataset(session, dataset_id)
