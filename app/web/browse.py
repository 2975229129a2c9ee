"""Browse the evidence: claims, results and sources with facets, full-text search and keyset pages."""

from __future__ import annotations

from typing import Any, get_args
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from app.evidence import stats
from app.evidence.enums import ClaimStatus, Outcome, ParamsBasis, SourceKind, Stance, Verification
from app.evidence.interchange.exports import EXPORT_FORMATS
from app.evidence.messages import plain_message
from app.evidence.services import listing, vocabulary
from app.web.render import can, render
from app.web.signin import PageSession, Reader, load_user

router = APIRouter(dependencies=[Depends(load_user)], include_in_schema=False)
PAGE_SIZE = 25


def _is_list(annotation: Any) -> bool:
    return any(getattr(arg, "__origin__", None) is list for arg in (annotation, *get_args(annotation)))


def read_filters(request: Request, model: type[BaseModel], allowed: set[str]) -> tuple[BaseModel, dict, list[str]]:
    """Filters from the query string: empty values ignored, invalid ones dropped with a message.

    Returns the filters, the raw chosen values (to show in the facet form) and the problems.
    """
    chosen: dict[str, Any] = {}
    for name in allowed:
        values = [v.strip() for v in request.query_params.getlist(name) if v.strip()]
        if values:
            chosen[name] = values if _is_list(model.model_fields[name].annotation) else values[0]
    problems = []
    data = dict(chosen)
    if data.get("include_deleted") and not can(getattr(request.state, "who", None), "analyst"):
        data.pop("include_deleted")
    while True:
        try:
            return model.model_validate(data), chosen, problems
        except ValidationError as error:
            for item in error.errors():
                name = str(item["loc"][0]) if item["loc"] else ""
                problems.append(f"Ignored the filter {name}: {plain_message(item)}")
                data.pop(name, None)
            if not any(item["loc"] for item in error.errors()):
                return model(), chosen, problems


def _page_of(list_fn, session: Session, filters, request: Request, sorts: list[str], default_sort: str):
    sort = request.query_params.get("sort") or default_sort
    problems = []
    if sort not in sorts:
        problems.append(f"Unknown sort {sort!r}; sorted by {default_sort}.")
        sort = default_sort
    cursor = request.query_params.get("cursor") or None
    try:
        page = list_fn(session, filters, sort=sort, cursor=cursor, limit=PAGE_SIZE)
    except listing.InvalidQuery as error:
        problems.append(error.message + " Showing the first page.")
        page = list_fn(session, filters, sort=sort, cursor=None, limit=PAGE_SIZE)
        cursor = None
    return page, sort, cursor, problems


def _links(request: Request, next_cursor: str | None) -> dict[str, str | None]:
    """The URLs of the first and the next page, keeping every filter."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor" and v.strip()]
    first = "?" + urlencode(params) if params else "?"
    following = "?" + urlencode([*params, ("cursor", next_cursor)]) if next_cursor else None
    return {"first": first, "next": following}


FORMAT_NAMES = {"bibtex": "BibTeX", "ris": "RIS", "csljson": "CSL-JSON", "csv": "CSV", "yaml": "YAML"}


def export_links(kind: str, request: Request) -> list[tuple[str, str]]:
    """(label, URL) per export format of the list, keeping its filters (served by app/web/import_pages.py)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in {"cursor", "sort"} and v.strip()]
    return [(FORMAT_NAMES[f], f"/export/{kind}?" + urlencode([*params, ("format", f)])) for f in EXPORT_FORMATS]


def _choices(enum) -> list[tuple[str, str]]:
    return [(m.value, m.value.replace("_", " ")) for m in enum]


def _vocabulary(session: Session) -> dict[str, list[tuple[str, str]]]:
    return {
        "aspect": [(a.key, a.name) for a in vocabulary.all_of(session, "aspects")],
        "question": [(q.key, f"Q{q.number}: {q.title}") for q in vocabulary.all_of(session, "questions")],
        "method": [(m.key, m.name) for m in vocabulary.all_of(session, "methods")],
        "band": [(b.key, b.name) for b in vocabulary.all_of(session, "bands")],
        "stance": _choices(Stance),
        "status": _choices(ClaimStatus),
        "source_kind": _choices(SourceKind),
        "kind": _choices(SourceKind),
        "verification": _choices(Verification),
        "outcome": _choices(Outcome),
        "params_basis": _choices(ParamsBasis),
    }


def _with_counts(options: dict, counts: dict) -> dict:
    """Facet options labelled with how many claims each would match."""
    labelled = {}
    for name, pairs in options.items():
        numbers = {str(item["value"]): item["count"] for item in counts.get(name, [])}
        labelled[name] = [(v, f"{text} ({numbers.get(v, 0)})") if name in counts else (v, text) for v, text in pairs]
    return labelled


def _facet_counts(session: Session, filters) -> dict:
    """Claim counts per facet value, shared with /api/v1/stats and cached until the next write."""
    return stats.cached_facet_counts(session, filters)[0]["facets"]


CLAIM_FACETS = ["aspect", "question", "method", "stance", "band", "status", "source_kind"]
RESULT_FACETS = ["aspect", "question", "method", "stance", "band", "outcome", "params_basis", "source_kind"]
SOURCE_FACETS = ["kind", "aspect", "verification"]


def _listing(request, session, kind, model, list_fn, facets, default_sort, extra=()):
    allowed = {*facets, "q", "include_deleted", *extra}
    filters, chosen, problems = read_filters(request, model, allowed)
    sorts = listing.sort_names(kind)
    page, sort, cursor, more = _page_of(list_fn, session, filters, request, sorts, default_sort)
    options = {name: _vocabulary(session)[name] for name in facets}
    if kind == "claims":
        options = _with_counts(options, _facet_counts(session, filters))
    context = {
        "kind": kind,
        "page": page,
        "facets": facets,
        "options": options,
        "chosen": chosen,
        "sort": sort,
        "sorts": sorts,
        "problems": problems + more,
        "links": _links(request, page.next_cursor),
        "paged": cursor is not None,
        "exports": export_links(kind, request),
    }
    return render(request, f"{kind}_list.html", context)


@router.get("/claims", response_class=HTMLResponse)
def claims_page(request: Request, session: PageSession, reader: Reader) -> HTMLResponse:
    """Claims with facets (aspect, question, method, stance, band, status, source kind) and full-text search."""
    return _listing(request, session, "claims", listing.ClaimFilters, listing.list_claims, CLAIM_FACETS, "-updated_at")


@router.get("/results", response_class=HTMLResponse)
def results_page(request: Request, session: PageSession, reader: Reader) -> HTMLResponse:
    """Results with facets of their own (band, outcome, basis) and of their claim, and full-text search."""
    return _listing(request, session, "results", listing.ResultFilters, listing.list_results, RESULT_FACETS, "-params")


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, session: PageSession, reader: Reader) -> HTMLResponse:
    """Sources with facets (kind, aspect of their claims, verification) and title search."""
    return _listing(request, session, "sources", listing.SourceFilters, listing.list_sources, SOURCE_FACETS, "key")
