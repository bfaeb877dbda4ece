"""The student's own database: engine, sessions and the declarative base of the job rows.

SQLite in the state directory by default (WAL mode and a busy timeout, since the API and the workers are
separate processes writing the same file), Postgres when ``FDD_STUDENT_DATABASE_URL`` is set. Tables are
created at start-up (``create_all``); each process builds its engine lazily, after any fork.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, ProgrammingError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from fdd_web.database import make_engine
from student.settings import StudentSettings, get_settings


class Base(DeclarativeBase):
    pass


def utcnow() -> datetime:
    return datetime.now(UTC)


def build_engine(url: str) -> Engine:
    """An engine for ``url`` with the job tables created."""
    engine = make_engine(url, pool_size=5, max_overflow=5)
    import student.jobs.models  # noqa: F401 - registers the tables on Base.metadata

    try:
        Base.metadata.create_all(engine)
    except (IntegrityError, ProgrammingError):
        # Two processes starting at once may race on CREATE TABLE; the loser finds the tables there.
        Base.metadata.create_all(engine)
    return engine


_lock = threading.Lock()
_factories: dict[str, sessionmaker[Session]] = {}


def session_factory(settings: StudentSettings | None = None) -> sessionmaker[Session]:
    """This process's session factory for the configured database (built once, on first use)."""
    url = (settings or get_settings()).database_url_or_default("student.db")
    with _lock:
        if url not in _factories:
            _factories[url] = sessionmaker(build_engine(url), expire_on_commit=False)
        return _factories[url]


@contextmanager
def session_scope(settings: StudentSettings | None = None) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back when it raises."""
    session = session_factory(settings)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
