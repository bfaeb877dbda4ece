"""Initial schema: every orchestrator table (datasets, runs, rounds, problems, rationales, labels, …).

Revision ID: 0001
Revises:
Create Date: 2026-11-29 02:33:52.648870
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "source",
            sa.Enum("benchmark", "jsonl", "curriculum", name="datasetsource", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("spec", JSON, nullable=False),
        sa.Column("population_hash", sa.String(length=64), nullable=False),
        sa.Column("n_problems", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datasets")),
        sa.UniqueConstraint("name", name=op.f("uq_datasets_name")),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("config", JSON, nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "running",
                "paused",
                "done",
                "failed",
                "cancelled",
                name="runstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "stage",
            sa.Enum(
                "init",
                "train",
                "evaluate",
                "classify",
                "generate",
                "done",
                name="stage",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("current_round", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("teacher_cost_usd", sa.Float(), nullable=False),
        sa.Column("lease_owner", sa.String(length=200), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    op.create_index(op.f("ix_runs_status"), "runs", ["status"], unique=False)
    op.create_table(
        "dataset_problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Float(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("meta", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_dataset_problems_dataset_id_datasets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_problems")),
        sa.UniqueConstraint(
            "dataset_id", "content_hash", name=op.f("uq_dataset_problems_dataset_id_content_hash")
        ),
    )
    op.create_table(
        "problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Float(), nullable=False),
        sa.Column(
            "answer_source",
            sa.Enum("gold", "consensus", name="answersource", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "origin",
            sa.Enum("seed", "complex", "similar", name="origin", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("round_created", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("steps", sa.Integer(), nullable=True),
        sa.Column(
            "role",
            sa.Enum("train", "heldout", name="problemrole", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("leak_score", sa.Float(), nullable=True),
        sa.Column("leak_match", sa.String(length=200), nullable=True),
        sa.Column("teacher_backend", sa.String(length=100), nullable=True),
        sa.Column("teacher_model", sa.String(length=200), nullable=True),
        sa.Column("prompt_version", sa.String(length=100), nullable=True),
        sa.Column("meta", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["problems.id"], name=op.f("fk_problems_parent_id_problems"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_problems_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problems")),
        sa.UniqueConstraint("run_id", "content_hash", name=op.f("uq_problems_run_id_content_hash")),
    )
    op.create_index(op.f("ix_problems_parent_id"), "problems", ["parent_id"], unique=False)
    op.create_index("ix_problems_run_id_id", "problems", ["run_id", "id"], unique=False)
    op.create_index("ix_problems_run_id_round_created", "problems", ["run_id", "round_created"], unique=False)
    op.create_table(
        "rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "init",
                "train",
                "evaluate",
                "classify",
                "generate",
                "done",
                name="stage",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("pending", "running", "done", "failed", name="roundstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("progress", JSON, nullable=False),
        sa.Column("metrics", JSON, nullable=False),
        sa.Column("checkpoint", sa.String(length=500), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_rounds_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rounds")),
        sa.UniqueConstraint("run_id", "index", name=op.f("uq_rounds_run_id_index")),
    )
    op.create_table(
        "evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("benchmark", sa.String(length=500), nullable=False),
        sa.Column("accuracy", sa.Float(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("population_hash", sa.String(length=64), nullable=True),
        sa.Column("checkpoint", sa.String(length=500), nullable=True),
        sa.Column("by_group", JSON, nullable=False),
        sa.Column("job_id", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_evaluations_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluations")),
        sa.UniqueConstraint("round_id", "benchmark", name=op.f("uq_evaluations_round_id_benchmark")),
    )
    op.create_table(
        "labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column(
            "label",
            sa.Enum("easy", "hard", "no_answer", name="labelvalue", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("pass_rate", sa.Float(), nullable=False),
        sa.Column("outputs", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problems.id"], name=op.f("fk_labels_problem_id_problems"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_labels_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labels")),
        sa.UniqueConstraint("round_id", "problem_id", name=op.f("uq_labels_round_id_problem_id")),
    )
    op.create_index(op.f("ix_labels_problem_id"), "labels", ["problem_id"], unique=False)
    op.create_table(
        "rationales",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("program", sa.Text(), nullable=False),
        sa.Column("program_hash", sa.String(length=64), nullable=False),
        sa.Column("answer", sa.Float(), nullable=True),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("verdict", sa.String(length=32), nullable=False),
        sa.Column("backend", sa.String(length=100), nullable=True),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("prompt_version", sa.String(length=100), nullable=True),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=False),
        sa.Column("round_index", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["problems.id"],
            name=op.f("fk_rationales_problem_id_problems"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rationales")),
        sa.UniqueConstraint("problem_id", "program_hash", name=op.f("uq_rationales_problem_id_program_hash")),
    )
    op.create_table(
        "rejections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("parent_problem_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum("rationale", "complex", "similar", name="workkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("leak_score", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_problem_id"],
            ["problems.id"],
            name=op.f("fk_rejections_parent_problem_id_problems"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_rejections_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_rejections_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rejections")),
    )
    op.create_index(op.f("ix_rejections_run_id"), "rejections", ["run_id"], unique=False)
    op.create_table(
        "student_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column(
            "stage",
            sa.Enum(
                "init",
                "train",
                "evaluate",
                "classify",
                "generate",
                "done",
                name="stage",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("job_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("result", JSON, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_student_jobs_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_student_jobs_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_student_jobs")),
        sa.UniqueConstraint("job_id", name=op.f("uq_student_jobs_job_id")),
    )
    op.create_index(op.f("ix_student_jobs_run_id"), "student_jobs", ["run_id"], unique=False)
    op.create_table(
        "work_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "init",
                "train",
                "evaluate",
                "classify",
                "generate",
                "done",
                name="stage",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("rationale", "complex", "similar", name="workkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("pending", "done", "failed", name="workstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["problems.id"],
            name=op.f("fk_work_items_problem_id_problems"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_work_items_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_work_items_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_items")),
        sa.UniqueConstraint(
            "round_id",
            "stage",
            "problem_id",
            "kind",
            name=op.f("uq_work_items_round_id_stage_problem_id_kind"),
        ),
    )
    op.create_index(
        "ix_work_items_round_id_stage_status", "work_items", ["round_id", "stage", "status"], unique=False
    )
    op.create_index(op.f("ix_work_items_run_id"), "work_items", ["run_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_work_items_run_id"), table_name="work_items")
    op.drop_index("ix_work_items_round_id_stage_status", table_name="work_items")
    op.drop_table("work_items")
    op.drop_index(op.f("ix_student_jobs_run_id"), table_name="student_jobs")
    op.drop_table("student_jobs")
    op.drop_index(op.f("ix_rejections_run_id"), table_name="rejections")
    op.drop_table("rejections")
    op.drop_table("rationales")
    op.drop_index(op.f("ix_labels_problem_id"), table_name="labels")
    op.drop_table("labels")
    op.drop_table("evaluations")
    op.drop_table("rounds")
    op.drop_index("ix_problems_run_id_round_created", table_name="problems")
    op.drop_index("ix_problems_run_id_id", table_name="problems")
    op.drop_index(op.f("ix_problems_parent_id"), table_name="problems")
    op.drop_table("problems")
    op.drop_table("dataset_problems")
    op.drop_index(op.f("ix_runs_status"), table_name="runs")
    op.drop_table("runs")
    op.drop_table("datasets")
