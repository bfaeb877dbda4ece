"""Alembic environment: migrations run against the URL given by ``orchestrator.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import orchestrator.models  # noqa: F401 - registers every table on Base.metadata
from orchestrator.db import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=url.startswith("sqlite")
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
