"""The append-only answers table, sign-in salts and rate-limit events.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Answers are evidence: the database itself refuses to change or delete one.
SQLITE_GUARDS = [
    "CREATE TRIGGER answers_no_update BEFORE UPDATE ON answers "
    "BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END",
    "CREATE TRIGGER answers_no_delete BEFORE DELETE ON answers "
    "BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END",
]
POSTGRES_GUARDS = [
    "CREATE FUNCTION answers_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'answers are append-only'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER answers_no_change BEFORE UPDATE OR DELETE ON answers "
    "FOR EACH ROW EXECUTE FUNCTION answers_append_only()",
]


def upgrade() -> None:
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("student", sa.String(200), nullable=False),
        sa.Column("bank", sa.String(64), nullable=False),
        sa.Column("question", sa.String(64), nullable=False),
        sa.Column("part", sa.String(64), nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("note", sa.String(200), nullable=False),
        sa.Column("feedback", sa.Text, nullable=False),
        sa.Column("shown", sa.Text, nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("variant_round", sa.Integer, nullable=False),
        sa.Column("submission", sa.String(32), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("bank_fingerprint", sa.String(64), nullable=False),
    )
    op.create_index("answers_by_student", "answers", ["bank", "student", "question", "part"])
    op.create_index("answers_by_submission", "answers", ["submission"])
    op.create_index("answers_one_row_per_attempt", "answers", ["bank", "student", "question", "part", "attempt"],
                    unique=True)
    op.create_table(
        "signin_salts",
        sa.Column("subject", sa.String(200), primary_key=True),
        sa.Column("salt", sa.String(64), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "rate_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("student", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("rate_events_by_student", "rate_events", ["student", "kind", "at"])
    guards = {"sqlite": SQLITE_GUARDS, "postgresql": POSTGRES_GUARDS}.get(op.get_bind().dialect.name, [])
    for statement in guards:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("rate_events")
    op.drop_table("signin_salts")
    op.drop_table("answers")  # its triggers go with it; PostgreSQL's trigger function does not
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS answers_append_only()")
