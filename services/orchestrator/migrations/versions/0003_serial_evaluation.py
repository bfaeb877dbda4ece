"""Runs stored before ``evaluation.beside_teacher`` existed keep the serial stage order they started in.

A feedback round now evaluates beside the teacher's GENERATE (train → classify → generate → evaluate) unless
its config says ``evaluation.beside_teacher: false``. A run stored earlier, say paused at EVALUATE of round 1
in the old order, would otherwise move on to TRAIN of round 2 and skip its CLASSIFY and GENERATE; so every
stored config lacking the key gets it as ``false``, except a run still at INIT (the orders differ only after
it). The downgrade removes the key (the older code's config schema forbids keys it does not know) and puts
a run that evaluates beside the teacher and stands at CLASSIFY or GENERATE of a feedback round back at that
round's EVALUATE, which the serial order has not passed yet: its CLASSIFY and GENERATE are then done again,
and being idempotent (the student's job by its id, the teacher's work items), they only finish what is left.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from fdd.wire.runs import evaluates_beside

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

runs = sa.table(
    "runs",
    sa.column("id", sa.Integer),
    sa.column("config", sa.JSON),
    sa.column("stage", sa.String),
    sa.column("status", sa.String),
    sa.column("current_round", sa.Integer),
)
ACTIVE = ("pending", "running", "paused")


def _rows(bind: sa.Connection) -> list[sa.Row]:
    columns = (runs.c.id, runs.c.config, runs.c.stage, runs.c.status, runs.c.current_round)
    return list(bind.execute(sa.select(*columns)).all())


def upgrade() -> None:
    bind = op.get_bind()
    for run_id, config, stage, _status, _round in _rows(bind):
        evaluation = dict((config or {}).get("evaluation") or {})
        if "beside_teacher" in evaluation or stage == "init":
            continue
        evaluation["beside_teacher"] = False
        values = {"config": {**config, "evaluation": evaluation}}
        bind.execute(runs.update().where(runs.c.id == run_id).values(**values))


def downgrade() -> None:
    bind = op.get_bind()
    for run_id, config, stage, status, current in _rows(bind):
        evaluation = dict((config or {}).get("evaluation") or {})
        if "beside_teacher" not in evaluation:
            continue
        values: dict = {}
        back = status in ACTIVE and stage in ("classify", "generate") and current < int(config["rounds"])
        if back and evaluates_beside(config):
            values["stage"] = "evaluate"
        evaluation.pop("beside_teacher")
        values["config"] = {**config, "evaluation": evaluation}
        bind.execute(runs.update().where(runs.c.id == run_id).values(**values))
