"""Full-text search over claim text, quotes and source titles: one interface, two engines.

SQLite answers from the FTS5 tables `claim_fts(text, quote, source_title)` and `source_fts(title,
authors)` (rowid = the row's id), PostgreSQL from the GIN indexes on `to_tsvector('english', ...)`;
both are made by the migration `2026-12-01-1400_full_text_search`. Each function returns a SQL
condition to put in a WHERE clause, so search composes with every other filter and with keyset
pagination.

Any input is safe: NUL bytes and control characters are dropped, FTS5 receives only quoted words
(no operators, no column filters, no syntax errors), and PostgreSQL parses the text with
`websearch_to_tsquery`, which never raises. Text without a single word matches nothing.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, false, literal_column, select, text, union
from sqlalchemy.sql import func

from app.evidence.models import Claim, Source

MAX_QUERY_CHARS = 500
MAX_TERMS = 32
_WORD = re.compile(r"\w+", re.UNICODE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# The exact index expressions of the migration, so PostgreSQL's planner uses the GIN indexes.
_PG_CLAIM_VECTOR = "to_tsvector('english', coalesce(fts_claim.text, '') || ' ' || coalesce(fts_claim.quote, ''))"
_PG_SOURCE_VECTOR = "to_tsvector('english', source.title)"


def clean_query(query: str | None) -> str:
    """The query without NUL/control characters, trimmed to MAX_QUERY_CHARS."""
    return _CONTROL.sub(" ", query or "").strip()[:MAX_QUERY_CHARS]


def terms(query: str | None) -> list[str]:
    """The words of a query, in order, at most MAX_TERMS of them."""
    return _WORD.findall(clean_query(query))[:MAX_TERMS]


def fts5_expression(query: str | None) -> str | None:
    """An FTS5 MATCH string of every word quoted (all must match), or None when there is no word."""
    words = terms(query)
    return " ".join(f'"{word}"' for word in words) if words else None


def _pg_query(query: str):
    return func.websearch_to_tsquery(literal_column("'english'"), clean_query(query))


def claim_condition(dialect: str, query: str | None) -> ColumnElement[bool]:
    """Claims whose text or quote, or whose source's title, matches the query."""
    if not terms(query):
        return false()
    if dialect == "sqlite":
        match = text("SELECT rowid FROM claim_fts WHERE claim_fts MATCH :claim_q").bindparams(
            claim_q=fts5_expression(query)
        )
        return Claim.id.in_(match.columns(rowid=Claim.id.type))
    # A UNION, not an OR: each half uses its index (the GIN index on the text, the source_id index).
    tsquery = _pg_query(query)
    fts_claim = Claim.__table__.alias("fts_claim")
    in_text = select(fts_claim.c.id).where(literal_column(_PG_CLAIM_VECTOR).op("@@")(tsquery))
    titles = select(Source.id).where(literal_column(_PG_SOURCE_VECTOR).op("@@")(tsquery))
    in_title = select(fts_claim.c.id).where(fts_claim.c.source_id.in_(titles))
    return Claim.id.in_(union(in_text, in_title))


def source_condition(dialect: str, query: str | None) -> ColumnElement[bool]:
    """Sources whose title (or, on SQLite, author list) matches the query."""
    if not terms(query):
        return false()
    if dialect == "sqlite":
        match = text("SELECT rowid FROM source_fts WHERE source_fts MATCH :source_q").bindparams(
            source_q=fts5_expression(query)
        )
        return Source.id.in_(match.columns(rowid=Source.id.type))
    return literal_column(_PG_SOURCE_VECTOR).op("@@")(_pg_query(query))
