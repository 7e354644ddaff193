"""channels: outbox delivery bookkeeping, email threading, webhook replay protection

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("claimed_by", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        "email_messages",
        sa.Column("message_id", sa.String(length=250), nullable=False),
        sa.Column("thread_id", sa.String(length=150), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=250), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("outbox_message_id", sa.String(length=250), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("message_id"),
    )
    with op.batch_alter_table("email_messages") as batch:
        batch.create_index(batch.f("ix_email_messages_thread_id"), ["thread_id"], unique=False)

    op.create_table(
        "webhook_deliveries",
        sa.Column("provider", sa.String(length=30), nullable=False),
        sa.Column("delivery_id", sa.String(length=200), nullable=False),
        sa.Column("thread_id", sa.String(length=150), nullable=False),
        sa.Column("sender", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("provider", "delivery_id"),
    )
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.create_index(
            batch.f("ix_webhook_deliveries_thread_id"), ["thread_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.drop_index(batch.f("ix_webhook_deliveries_thread_id"))
    op.drop_table("webhook_deliveries")
    with op.batch_alter_table("email_messages") as batch:
        batch.drop_index(batch.f("ix_email_messages_thread_id"))
    op.drop_table("email_messages")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claimed_until")
        batch.drop_column("claimed_by")
        batch.drop_column("next_attempt_at")
