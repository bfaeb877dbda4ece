"""Orchestrator tests share the migrated-Postgres fixtures of ``tests.fixtures.orchestrator_db``."""

from tests.fixtures.orchestrator_db import (  # noqa: F401 - fixtures are found by name
    api_app,
    api_client,
    clean_database,
    db_session,
    db_sessionmaker,
    orchestrator_engine,
    orchestrator_url,
)
