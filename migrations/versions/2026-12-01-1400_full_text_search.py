"""full-text search over claim text, quotes and source titles

SQLite: FTS5 tables kept in step by triggers. PostgreSQL: GIN indexes on tsvector expressions.
Both are dialect-specific DDL outside the models (migrations/env.py excludes them from autogenerate);
app/evidence/search.py is the one interface over both.

Revision ID: b7f3c1a2d9e0
Revises: e82db9906df2
Create Date: 2026-12-01 14:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "b7f3c1a2d9e0"
down_revision: str | None = "e82db9906df2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE claim_fts USING fts5(text, quote, source_title, tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE source_fts USING fts5(title, authors, tokenize='porter unicode61 remove_diacritics 2')",
    """CREATE TRIGGER claim_fts_ai AFTER INSERT ON claim BEGIN
         INSERT INTO claim_fts(rowid, text, quote, source_title)
         SELECT new.id, new.text, coalesce(new.quote, ''), (SELECT title FROM source WHERE id = new.source_id);
       END""",
    """CREATE TRIGGER claim_fts_au AFTER UPDATE OF text, quote, source_id ON claim BEGIN
         DELETE FROM claim_fts WHERE rowid = old.id;
         INSERT INTO claim_fts(rowid, text, quote, source_title)
         SELECT new.id, new.text, coalesce(new.quote, ''), (SELECT title FROM source WHERE id = new.source_id);
       END""",
    "CREATE TRIGGER claim_fts_ad AFTER DELETE ON claim BEGIN DELETE FROM claim_fts WHERE rowid = old.id; END",
    """CREATE TRIGGER source_fts_ai AFTER INSERT ON source BEGIN
         INSERT INTO source_fts(rowid, title, authors) VALUES (new.id, new.title, new.authors);
       END""",
    """CREATE TRIGGER source_fts_au AFTER UPDATE OF title, authors ON source BEGIN
         DELETE FROM source_fts WHERE rowid = old.id;
         INSERT INTO source_fts(rowid, title, authors) VALUES (new.id, new.title, new.authors);
         DELETE FROM claim_fts WHERE rowid IN (SELECT id FROM claim WHERE source_id = new.id);
         INSERT INTO claim_fts(rowid, text, quote, source_title)
         SELECT id, text, coalesce(quote, ''), new.title FROM claim WHERE source_id = new.id;
       END""",
    "CREATE TRIGGER source_fts_ad AFTER DELETE ON source BEGIN DELETE FROM source_fts WHERE rowid = old.id; END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS claim_fts_ai",
    "DROP TRIGGER IF EXISTS claim_fts_au",
    "DROP TRIGGER IF EXISTS claim_fts_ad",
    "DROP TRIGGER IF EXISTS source_fts_ai",
    "DROP TRIGGER IF EXISTS source_fts_au",
    "DROP TRIGGER IF EXISTS source_fts_ad",
    "DROP TABLE IF EXISTS claim_fts",
    "DROP TABLE IF EXISTS source_fts",
]
POSTGRES_UP = [
    "CREATE INDEX ix_fts_claim ON claim USING gin "
    "(to_tsvector('english', coalesce(text, '') || ' ' || coalesce(quote, '')))",
    "CREATE INDEX ix_fts_source ON source USING gin (to_tsvector('english', title))",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS ix_fts_claim", "DROP INDEX IF EXISTS ix_fts_source"]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    _run(SQLITE_UP if op.get_bind().dialect.name == "sqlite" else POSTGRES_UP)


def downgrade() -> None:
    _run(SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else POSTGRES_DOWN)
