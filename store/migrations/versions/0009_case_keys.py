"""per-case data keys for encrypted Temporal histories (crypto-shredding on erasure)

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_keys",
        sa.Column("key_id", sa.String(length=250), nullable=False),
        sa.Column("workflow_id", sa.String(length=200), nullable=False),
        sa.Column("master_key_id", sa.String(length=40), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shredded_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key_id"),
    )
    with op.batch_alter_table("case_keys") as batch:
        batch.create_index(batch.f("ix_case_keys_workflow_id"), ["workflow_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_keys") as batch:
        batch.drop_index(batch.f("ix_case_keys_workflow_id"))
    op.drop_table("case_keys")
