"""the shop's knowledge base with its full-text index; orders' delivery dates

Revision ID: 0005
Revises: 0004

SQLite: an FTS5 table over the passages (external content, Porter stemming), kept in
step by triggers. PostgreSQL: a generated, weighted `tsvector` column with a GIN index.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_SQLITE_INDEX = [
    "CREATE VIRTUAL TABLE knowledge_fts USING fts5("
    "title, heading, body, content='knowledge_passages', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER knowledge_passages_ai AFTER INSERT ON knowledge_passages BEGIN "
    "INSERT INTO knowledge_fts(rowid, title, heading, body) "
    "VALUES (new.id, new.title, new.heading, new.body); END",
    "CREATE TRIGGER knowledge_passages_ad AFTER DELETE ON knowledge_passages BEGIN "
    "INSERT INTO knowledge_fts(knowledge_fts, rowid, title, heading, body) "
    "VALUES ('delete', old.id, old.title, old.heading, old.body); END",
    "CREATE TRIGGER knowledge_passages_au AFTER UPDATE ON knowledge_passages BEGIN "
    "INSERT INTO knowledge_fts(knowledge_fts, rowid, title, heading, body) "
    "VALUES ('delete', old.id, old.title, old.heading, old.body); "
    "INSERT INTO knowledge_fts(rowid, title, heading, body) "
    "VALUES (new.id, new.title, new.heading, new.body); END",
]
_POSTGRES_INDEX = [
    "ALTER TABLE knowledge_passages ADD COLUMN search tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(heading, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(body, '')), 'B')) STORED",
    "CREATE INDEX ix_knowledge_passages_search ON knowledge_passages USING gin (search)",
]


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("delivered_on", sa.Date(), nullable=True))
    op.create_table(
        "knowledge_articles",
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("slug"),
    )
    op.create_table(
        "knowledge_passages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("heading", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["slug"], ["knowledge_articles.slug"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_knowledge_passages_slug", "knowledge_passages", ["slug"])
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": _SQLITE_INDEX, "postgresql": _POSTGRES_INDEX}.get(dialect, []):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS knowledge_fts")
    op.drop_index("ix_knowledge_passages_slug", table_name="knowledge_passages")
    op.drop_table("knowledge_passages")
    op.drop_table("knowledge_articles")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("delivered_on")
