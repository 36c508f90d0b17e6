"""Full-text search over proposals and their comments, on SQLite (FTS5) and PostgreSQL (tsvector).

`SearchDocument` rows hold the plain text of each proposal and each visible comment. Each backend adds
its own index beside that table: an FTS5 table kept in step by triggers on SQLite; on PostgreSQL a
stored generated tsvector column with a GIN index (stored, so that checking a match reads the vector
instead of parsing the text again: bench/proposals.py measured 3x slower search at 50,000 proposals with
an expression index). Both use no stemming ('simple' / unicode61), since a city writes in many languages.
The same DDL is run by the migration and by `db.create_all()` (tests), so both build the same schema.
"""

import re

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from plaza.extensions import db

FTS_TABLE = "search_document_fts"
PG_INDEX = "ix_search_document_tsv"
PG_COLUMN = "body_tsv"

SQLITE_DDL = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "body, content='search_document', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER IF NOT EXISTS search_document_ai AFTER INSERT ON search_document BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, body) VALUES (new.id, new.body); END",
    f"CREATE TRIGGER IF NOT EXISTS search_document_ad AFTER DELETE ON search_document BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, body) VALUES ('delete', old.id, old.body); END",
    f"CREATE TRIGGER IF NOT EXISTS search_document_au AFTER UPDATE ON search_document BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, body) VALUES ('delete', old.id, old.body); "
    f"INSERT INTO {FTS_TABLE}(rowid, body) VALUES (new.id, new.body); END",
]
POSTGRESQL_DDL = [
    f"ALTER TABLE search_document ADD COLUMN IF NOT EXISTS {PG_COLUMN} tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED",
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON search_document USING gin ({PG_COLUMN})",
]


class SearchDocument(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(unique=True)  # None: the proposal's own text
    body: Mapped[str] = mapped_column(sa.Text)

    __table_args__ = (sa.Index("uq_search_document_proposal_text", "proposal_id", unique=True,
                               sqlite_where=sa.text("comment_id IS NULL"),
                               postgresql_where=sa.text("comment_id IS NULL")),)


def create_backend_index(connection: sa.Connection) -> None:
    statements = {"sqlite": SQLITE_DDL, "postgresql": POSTGRESQL_DDL}.get(connection.dialect.name, [])
    for statement in statements:
        connection.exec_driver_sql(statement)


sa.event.listen(SearchDocument.__table__, "after_create",
                lambda target, connection, **kw: create_backend_index(connection))


def is_backend_index(name: str | None) -> bool:
    """Objects the backend index adds, which the models do not describe (for migration comparisons)."""
    return bool(name) and (name.startswith(FTS_TABLE) or name in (PG_INDEX, PG_COLUMN))


def index_text(proposal_id: int, body: str, comment_id: int | None = None) -> None:
    """Put (or replace) the text of a proposal or a comment into the index, in the current transaction."""
    condition = (SearchDocument.comment_id == comment_id if comment_id is not None
                 else sa.and_(SearchDocument.proposal_id == proposal_id, SearchDocument.comment_id.is_(None)))
    updated = db.session.execute(sa.update(SearchDocument).where(condition).values(body=body)
                                 .execution_options(synchronize_session=False)).rowcount
    if not updated:
        db.session.execute(sa.insert(SearchDocument).values(proposal_id=proposal_id, comment_id=comment_id,
                                                            body=body))


def remove_comment(comment_id: int) -> None:
    db.session.execute(sa.delete(SearchDocument).where(SearchDocument.comment_id == comment_id))


def _fts5_query(text: str) -> str:
    """Every word must appear; each is quoted, so operators typed by a visitor are just words."""
    words = re.findall(r"\w+", text)
    return " ".join('"' + word.replace('"', '""') + '"' for word in words[:20])


def matching_proposal_ids(text: str, dialect: str) -> sa.CTE | None:
    """A materialised CTE (column `proposal_id`) of the proposals whose text or comments match `text`, or
    None if there is nothing to search for. Materialised, so the database finds the matches first through
    the full-text index instead of testing proposals one by one in list order (bench/proposals.py)."""
    if not re.search(r"\w", text or ""):
        return None
    if dialect == "sqlite":
        matches = sa.select(sa.column("rowid")).select_from(sa.table(FTS_TABLE)).where(
            sa.text(f"{FTS_TABLE} MATCH :query").bindparams(query=_fts5_query(text)))
        found = sa.select(SearchDocument.proposal_id).where(SearchDocument.id.in_(matches))
    else:
        vector = sa.literal_column(f"{SearchDocument.__tablename__}.{PG_COLUMN}")
        query = sa.func.plainto_tsquery(sa.literal_column("'simple'"), text[:500])
        found = sa.select(SearchDocument.proposal_id).where(vector.op("@@")(query))
    return found.distinct().cte("matching_proposals").prefix_with("MATERIALIZED")
