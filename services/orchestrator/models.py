"""All ORM models, imported here so that Alembic and the app see one complete metadata."""

from __future__ import annotations
