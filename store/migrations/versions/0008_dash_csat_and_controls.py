"""customer ratings, operator controls, and why each reply was sent

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "csat_ratings",
        sa.Column("case_id", sa.String(length=200), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("case_id"),
    )
    with op.batch_alter_table("csat_ratings") as batch:
        batch.create_index(batch.f("ix_csat_ratings_rated_at"), ["rated_at"], unique=False)
    op.create_table(
        "operator_controls",
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("killed", sa.Boolean(), nullable=False),
        sa.Column("canary_basis_points", sa.Integer(), nullable=True),
        sa.Column("updated_by", sa.String(length=80), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("category"),
    )
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("reason")
    op.drop_table("operator_controls")
    with op.batch_alter_table("csat_ratings") as batch:
        batch.drop_index(batch.f("ix_csat_ratings_rated_at"))
    op.drop_table("csat_ratings")
