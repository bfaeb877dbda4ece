"""Runs stored before ``evaluation.beside_teacher`` existed keep the serial stage order they started in.

A feedback round now evaluates beside the teacher's GENERATE (train → classify → generate → evaluate) unless
its config says ``evaluation.beside_teacher: false``. A run stored earlier, say paused at EVALUATE of round 1
in the old order, would otherwise move on to TRAIN of round 2 and skip its CLASSIFY and GENERATE; so every
stored config lacking the key gets it as ``false``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

runs = sa.table("runs", sa.column("id", sa.Integer), sa.column("config", sa.JSON))


def _store(bind: sa.Connection, run_id: int, config: dict) -> None:
    bind.execute(runs.update().where(runs.c.id == run_id).values(config=config))


def upgrade() -> None:
    bind = op.get_bind()
    for run_id, config in bind.execute(sa.select(runs.c.id, runs.c.config)).all():
        evaluation = dict((config or {}).get("evaluation") or {})
        if "beside_teacher" in evaluation:
            continue
        evaluation["beside_teacher"] = False
        _store(bind, run_id, {**config, "evaluation": evaluation})


def downgrade() -> None:
    # the older code's config schema forbids keys it does not know
    bind = op.get_bind()
    for run_id, config in bind.execute(sa.select(runs.c.id, runs.c.config)).all():
        evaluation = dict((config or {}).get("evaluation") or {})
        if evaluation.pop("beside_teacher", None) is None:
            continue
        _store(bind, run_id, {**config, "evaluation": evaluation})
