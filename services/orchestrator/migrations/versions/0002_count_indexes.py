"""Indexes that cover the counts every run read makes: problems by (run, round created, origin), labels by
(round, label). On the demo's final database ``GET /runs/{id}`` took 21.6-25.1 ms without them and
10.5-11.6 ms with them (SQLite); the CLI reads it every second while a run trains.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 01:45:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_problems_run_id_round_created_origin",
        "problems",
        ["run_id", "round_created", "origin"],
        unique=False,
    )
    op.drop_index("ix_problems_run_id_round_created", table_name="problems")
    op.create_index("ix_labels_round_id_label", "labels", ["round_id", "label"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_labels_round_id_label", table_name="labels")
    op.create_index("ix_problems_run_id_round_created", "problems", ["run_id", "round_created"], unique=False)
    op.drop_index("ix_problems_run_id_round_created_origin", table_name="problems")
