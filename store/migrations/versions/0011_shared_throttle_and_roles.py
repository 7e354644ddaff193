"""sign-in failures counted in the store (shared by web processes); several roles per user;
no one-time code left readable at rest

Revision ID: 0011
Revises: 0009 (re-chained after 0010 when the branches merge)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Code emails from before they were sealed (store/sealed.py): the delivered ones' text is
    # needed by no one, and the local mail sink's copies are demo mail whose codes expired
    # within minutes. Emails still waiting are sent as they are, then emptied.
    op.execute("UPDATE outbox SET text = '' WHERE channel = 'mail' AND status = 'delivered'")
    op.execute("DELETE FROM mail_sink WHERE body NOT LIKE 'sealed:v1:%'")
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sign_in_failures") as batch:
        batch.create_index(batch.f("ix_sign_in_failures_username"), ["username"], unique=False)
        batch.create_index(batch.f("ix_sign_in_failures_address"), ["address"], unique=False)
        batch.create_index(batch.f("ix_sign_in_failures_failed_at"), ["failed_at"], unique=False)
    # The foreign key comes last: rebuilding `users` (SQLite's way of dropping a column)
    # while a table already points at it could cascade-delete the copied roles.
    op.create_table(
        "user_roles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "role"),
    )
    # Every existing user keeps the one role they had, now as their first of several.
    op.execute("INSERT INTO user_roles (user_id, role) SELECT id, role FROM users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("role")
    with op.batch_alter_table("user_roles") as batch:
        batch.create_foreign_key(
            "fk_user_roles_user_id_users", "users", ["user_id"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("role", sa.String(length=20), nullable=False, server_default=""))
    # One role each again: the one that grants most (admin, senior approver, approver, agent).
    op.execute(
        "UPDATE users SET role = (SELECT user_roles.role FROM user_roles"
        " WHERE user_roles.user_id = users.id ORDER BY CASE user_roles.role"
        " WHEN 'admin' THEN 0 WHEN 'senior_approver' THEN 1 WHEN 'approver' THEN 2 ELSE 3 END"
        " LIMIT 1)"
    )
    with op.batch_alter_table("users") as batch:
        batch.alter_column("role", server_default=None)
    op.drop_table("user_roles")
    with op.batch_alter_table("sign_in_failures") as batch:
        batch.drop_index(batch.f("ix_sign_in_failures_failed_at"))
        batch.drop_index(batch.f("ix_sign_in_failures_address"))
        batch.drop_index(batch.f("ix_sign_in_failures_username"))
    op.drop_table("sign_in_failures")
