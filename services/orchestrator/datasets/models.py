"""ORM models of the datasets slice: a named problem set and its problems (immutable once imported)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.db import Base
from orchestrator.enums import DatasetSource, enum_column
from orchestrator.timestamps import JSON, created_at_column


class Dataset(Base):
    __tablename__ = "datasets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    source: Mapped[DatasetSource] = mapped_column(enum_column(DatasetSource))
    spec: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    population_hash: Mapped[str] = mapped_column(sa.String(64))
    n_problems: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = created_at_column()


class DatasetProblem(Base):
    __tablename__ = "dataset_problems"
    __table_args__ = (sa.UniqueConstraint("dataset_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("datasets.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(sa.String(200))
    question: Mapped[str] = mapped_column(sa.Text)
    answer: Mapped[float] = mapped_column(sa.Float)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
