"""one-time codes sent to the email on file, and the local mail sink

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "one_time_codes",
        sa.Column("id", sa.String(length=250), nullable=False),
        sa.Column("case_id", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("one_time_codes") as batch:
        batch.create_index(batch.f("ix_one_time_codes_case_id"), ["case_id"], unique=False)
    op.create_table(
        "mail_sink",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("message_id", sa.String(length=250), nullable=False),
        sa.Column("to_address", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
    with op.batch_alter_table("mail_sink") as batch:
        batch.create_index(batch.f("ix_mail_sink_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mail_sink") as batch:
        batch.drop_index(batch.f("ix_mail_sink_created_at"))
    op.drop_table("mail_sink")
    with op.batch_alter_table("one_time_codes") as batch:
        batch.drop_index(batch.f("ix_one_time_codes_case_id"))
    op.drop_table("one_time_codes")
