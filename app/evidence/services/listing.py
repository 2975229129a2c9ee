"""The one query implementation over the evidence: filters, full-text search, sorting, keyset pages.

The REST API and the web pages' browse views both call these:

    list_sources(session, filters: SourceFilters | None = None, *, sort="id", cursor=None, limit=50,
                 with_count=True) -> Page[SourcePublic]
    list_claims(session, filters: ClaimFilters | None = None, ...)        -> Page[ClaimPublic]
    list_results(session, filters: ResultFilters | None = None, ...)      -> Page[ResultPublic]
    list_critiques(session, filters: CritiqueFilters | None = None, ...)  -> Page[CritiquePublic]
    iter_all(list_fn, session, filters, *, sort="id", batch=500) -> Iterator[item]  (every row, page by page)

A Page has `items` (read models of app.evidence.services.read), `count` (rows matching the
filters; None with with_count=False: a count costs time in proportion to the matches, a keyset
page does not, so the API counts on the first page only) and `next_cursor` (None on the last page).
`sort` is a field name, `-name` for descending (see SORTS); rows are ordered by (field, id), so a
cursor, the opaque base64 of the last row's (sort, value, id), resumes exactly after it however
deep the page: no OFFSET is ever used.
A cursor is checked strictly (shape, types, the sort it was made for); a bad one raises InvalidQuery
with field="cursor". `limit` is clamped to 1..MAX_LIMIT.

Filters are pydantic models (FastAPI reads them straight from the query string). List fields match
any of their values (`aspect=circuits&aspect=features`); different fields must all match; result
filters on claims (band, outcome, safety_impact, params range) need one live result meeting them
all. Deleted rows are left out unless include_deleted is set (the caller decides who may).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import func, literal_column, select, tuple_
from sqlmodel import Session

from app.evidence.errors import EvidenceError
from app.evidence.models import Claim, Critique, Result, Source
from app.evidence.schemas.claims import ClaimFilters
from app.evidence.schemas.critiques import CritiqueFilters
from app.evidence.schemas.results import ResultFilters
from app.evidence.schemas.sources import SourceFilters
from app.evidence.services import read, visibility
from app.evidence.services.filters import claim_conditions, critique_conditions, result_conditions, source_conditions
from app.evidence.stats import cached_count

__all__ = [
    "ClaimFilters",
    "CritiqueFilters",
    "InvalidQuery",
    "Page",
    "ResultFilters",
    "SORTS",
    "SourceFilters",
    "iter_all",
    "list_claims",
    "list_critiques",
    "list_results",
    "list_sources",
]

T = TypeVar("T")
MAX_LIMIT = 5000  # settings.api_max_page_size may be up to this
MAX_CURSOR_CHARS = 2000


class InvalidQuery(EvidenceError):
    """A sort or cursor the query cannot use; `field` names the parameter."""

    location = "query"


@dataclass
class Page(Generic[T]):
    items: list[T]
    count: int | None
    next_cursor: str | None


# name -> (expression, type of its value in a cursor); every list also sorts by id as the tie-breaker.
SORTS: dict[str, dict[str, tuple[Any, type]]] = {
    "sources": {
        "id": (Source.id, int),
        "key": (Source.key, str),
        "title": (Source.title_normalized, str),
        "year": (func.coalesce(Source.year, 0), int),
        "updated_at": (Source.updated_at, dt.datetime),
    },
    "claims": {
        "id": (Claim.id, int),
        "key": (Claim.key, str),
        "confidence": (Claim.confidence, float),
        "created_at": (Claim.created_at, dt.datetime),
        "updated_at": (Claim.updated_at, dt.datetime),
        "year": (select(func.coalesce(Source.year, 0)).where(Source.id == Claim.source_id).scalar_subquery(), int),
    },
    "results": {
        "id": (Result.id, int),
        "key": (Result.key, str),
        "params": (func.coalesce(Result.params, Result.params_low, literal_column("0.0")), float),  # its index
        "model_name": (Result.model_name, str),
        "updated_at": (Result.updated_at, dt.datetime),
    },
    "critiques": {
        "id": (Critique.id, int),
        "key": (Critique.key, str),
        "severity": (Critique.severity, float),
        "updated_at": (Critique.updated_at, dt.datetime),
    },
}


def sort_names(kind: str) -> list[str]:
    """Every accepted value of `sort` for a list: each field, ascending and descending."""
    return [prefix + name for name in SORTS[kind] for prefix in ("", "-")]


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def encode_cursor(sort: str, value: Any, row_id: int) -> str:
    if isinstance(value, dt.datetime):
        value = value.isoformat()
    raw = json.dumps([sort, value, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str, value_type: type) -> tuple[Any, int]:
    """The (value, id) a cursor resumes after; InvalidQuery unless it is exactly what encode_cursor makes."""
    bad = InvalidQuery("the cursor is not one this list returned; start again without it", field="cursor")
    if not cursor or len(cursor) > MAX_CURSOR_CHARS or not cursor.isascii():
        raise bad
    try:
        made_for, value, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, TypeError):
        raise bad from None
    if made_for != sort:
        raise InvalidQuery(f"the cursor was made for sort={made_for!r}, not {sort!r}", field="cursor") from None
    if type(row_id) is not int or not 0 <= row_id < 2**63:
        raise bad
    if value_type is int and type(value) is int and abs(value) < 2**63:
        return value, row_id
    if value_type is float and type(value) in (int, float) and math.isfinite(value):
        return float(value), row_id
    if value_type is str and isinstance(value, str) and len(value) <= MAX_CURSOR_CHARS:
        return value, row_id
    if value_type is dt.datetime and isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value), row_id
        except ValueError:
            raise bad from None
    raise bad


def _page(
    session: Session,
    kind: str,
    model,
    conditions,
    sort: str,
    cursor: str | None,
    limit: int,
    with_count: bool,
    filters_json: str = "",
) -> Page:
    descending = sort.startswith("-")
    name = sort.removeprefix("-")
    if name not in SORTS[kind]:
        raise InvalidQuery(f"cannot sort {kind} by {sort!r}; use one of {', '.join(sort_names(kind))}", field="sort")
    expression, value_type = SORTS[kind][name]
    limit = max(1, min(int(limit), MAX_LIMIT))
    single = name == "id"
    key = model.id if single else tuple_(expression, model.id)
    query = select(model).where(*conditions)
    if cursor:
        value, row_id = decode_cursor(cursor, sort, value_type)
        after = row_id if single else tuple_(value, row_id)
        query = query.where(key < after if descending else key > after)
    order = [model.id] if single else [expression, model.id]
    query = query.order_by(*(column.desc() if descending else column.asc() for column in order))
    rows = list(session.scalars(query.limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        last_value = last.id if single else session.scalar(select(expression).where(model.id == last.id))
        next_cursor = encode_cursor(sort, last_value, last.id)
    count = None
    if with_count:
        query_count = select(func.count()).select_from(model).where(*conditions)
        count = cached_count(session, kind, filters_json, lambda: session.scalar(query_count))
    return Page(items=rows, count=count, next_cursor=next_cursor)


def _listing(kind: str, model, conditions_of, filters_type, make_views):
    def list_rows(
        session: Session,
        filters=None,
        *,
        sort: str = "id",
        cursor: str | None = None,
        limit: int = 50,
        with_count: bool = True,
    ) -> Page:
        filters = filters or filters_type()
        conditions = conditions_of(_dialect(session), filters, published_only=visibility.published_only(session))
        page = _page(session, kind, model, conditions, sort, cursor, limit, with_count, filters.model_dump_json())
        page.items = make_views(session, page.items)
        return page

    list_rows.__name__ = f"list_{kind}"
    list_rows.__doc__ = f"A page of {kind} matching the filters ({filters_type.__name__})."
    return list_rows


list_sources = _listing("sources", Source, source_conditions, SourceFilters, lambda _, rows: read.source_views(rows))
list_claims = _listing("claims", Claim, claim_conditions, ClaimFilters, read.claim_views)
list_results = _listing("results", Result, result_conditions, ResultFilters, read.result_views)
list_critiques = _listing("critiques", Critique, critique_conditions, CritiqueFilters, read.critique_views)


def iter_all(
    list_fn: Callable[..., Page[T]], session: Session, filters, *, sort: str = "id", batch: int = 500
) -> Iterator[T]:
    """Every row matching the filters, fetched page by page (for exports)."""
    cursor = None
    while True:
        page = list_fn(session, filters, sort=sort, cursor=cursor, limit=batch, with_count=False)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
