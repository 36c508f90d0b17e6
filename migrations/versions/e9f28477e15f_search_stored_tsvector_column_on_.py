"""search: stored tsvector column on PostgreSQL

Revision ID: e9f28477e15f
Revises: 5ee2aac0b877
Create Date: 2026-11-23 15:19:38.649802

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e9f28477e15f'
down_revision = '5ee2aac0b877'
branch_labels = None
depends_on = None


# PostgreSQL only: the GIN index moves from an expression to a stored generated column (the same DDL as
# plaza/search.py, copied so that migrations never import app code). SQLite's FTS5 table is unchanged.
UPGRADE = [
    "DROP INDEX IF EXISTS ix_search_document_tsv",
    "ALTER TABLE search_document ADD COLUMN IF NOT EXISTS body_tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED",
    "CREATE INDEX IF NOT EXISTS ix_search_document_tsv ON search_document USING gin (body_tsv)",
]
DOWNGRADE = [
    "DROP INDEX IF EXISTS ix_search_document_tsv",
    "ALTER TABLE search_document DROP COLUMN IF EXISTS body_tsv",
    "CREATE INDEX IF NOT EXISTS ix_search_document_tsv ON search_document USING gin (to_tsvector('simple', body))",
]


def _run(statements):
    if op.get_bind().dialect.name == "postgresql":
        for statement in statements:
            op.execute(statement)


def upgrade():
    _run(UPGRADE)


def downgrade():
    _run(DOWNGRADE)
