"""The routes every evidence kind shares: list, create, read, replace, patch, delete, restore, history.

Each kind (sources.py, claims.py, results.py, critiques.py) describes itself with an Entity; the
routes here stay thin: parse, check who is calling, call the service, shape the response.
ETags are the row's version as a strong validator ("3"); PUT, PATCH and DELETE need If-Match.
"""

# No `from __future__ import annotations` here: FastAPI reads the closures' annotations, which name
# the Entity's types at runtime.

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlmodel import Session

from app.api.csv import CSV_MEDIA_TYPE, csv_chunks, csv_text
from app.api.deps import (
    ApiSession,
    IfMatchDep,
    ReaderDep,
    WriterDep,
    allow_deleted,
    etag,
    pick_version,
)
from app.api.problems import problem_responses
from app.config import Settings
from app.db.session import SettingsDep
from app.evidence.history import Actor, history
from app.evidence.schemas.common import RevisionsPublic
from app.evidence.services import visibility
from app.evidence.services.common import get_or_404
from app.evidence.services.filters import check_vocabulary
from app.evidence.services.listing import iter_all, sort_names
from app.evidence.services.read import revision_views

LARGEST_LIMIT = 1_000_000  # what a client may ask for; the page itself is cut to CEILING_API_MAX_PAGE_SIZE
LIMIT_TEXT = (
    f"Page size: CEILING_API_PAGE_SIZE ({Settings.model_fields['api_page_size'].default} by default) when left out;"
    f" above CEILING_API_MAX_PAGE_SIZE ({Settings.model_fields['api_max_page_size'].default} by default) it is cut"
    f" to that; 1 to {LARGEST_LIMIT:,}."
)

API_BASE = "/api/v1"
RowId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The row's id.")]


@dataclass(frozen=True)
class Entity:
    kind: str  # singular, as in the revision log: "claim"
    plural: str  # path segment and list name: "claims"
    model: type
    service: ModuleType  # create/update/delete/restore
    public: type[BaseModel]  # a row in a list
    detail: type[BaseModel]  # one row with its nested rows
    page: type[BaseModel]  # the list envelope
    filters: type[BaseModel]
    list_fn: Callable
    create_in: type[BaseModel]
    update_in: type[BaseModel]
    patch_in: type[BaseModel]
    state: Callable[[Session, Any], dict]  # the row as an update_in dict
    read: Callable[[Session, Any, bool], BaseModel]  # the detail view
    create: Callable[[Session, Any, Actor], Any]
    update: Callable[[Session, Any, Any, Actor, int, set[str]], dict]


def wants_csv(request: Request, format: str | None) -> bool:
    if format is not None:
        return format == "csv"
    accept = request.headers.get("accept", "")
    return "text/csv" in accept and "application/json" not in accept


def _stream_csv(request: Request, e: Entity, filters: BaseModel, sort: str, published_only: bool) -> StreamingResponse:
    """Every matching row as CSV, streamed from its own session (the request's is closed by then), which
    shows what the request's session showed (published claims only, or every claim)."""
    engine = request.app.state.engine

    def chunks():
        with Session(engine) as session:
            visibility.restrict(session, published_only)
            yield from csv_chunks(e.public, iter_all(e.list_fn, session, filters, sort=sort))

    disposition = f'attachment; filename="{e.plural}.csv"'
    return StreamingResponse(chunks(), media_type=CSV_MEDIA_TYPE, headers={"Content-Disposition": disposition})


def _nul_fields(value: Any, path: str = "") -> list[str]:
    """Dotted paths of the strings holding a NUL byte (PostgreSQL cannot store one)."""
    if isinstance(value, str):
        return [path] if "\x00" in value else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _nul_fields(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list | tuple):
        return [p for i, v in enumerate(value) for p in _nul_fields(v, f"{path}.{i}" if path else str(i))]
    return []


def refuse_nul(body: BaseModel) -> None:
    """422 when any text of the body holds a NUL byte."""
    paths = _nul_fields(body.model_dump(mode="json", exclude_unset=True))
    if paths:
        errors = [{"loc": ("body", *p.split(".")), "msg": "NUL bytes are not allowed", "type": "nul"} for p in paths]
        raise RequestValidationError(errors)


def _written(response: Response, row: Any) -> None:
    response.headers["ETag"] = etag(row.version)


def entity_router(e: Entity) -> APIRouter:
    """The router of one evidence kind, mounted at /api/v1/{plural}: the same eight operations for every kind."""
    router = APIRouter(prefix=f"/{e.plural}", tags=[e.plural])
    _add_list_and_create(router, e)
    _add_read_and_write(router, e)
    _add_delete_restore_and_history(router, e)
    return router


def _add_list_and_create(router: APIRouter, e: Entity) -> None:
    SortName = Literal[tuple(sort_names(e.plural))]  # noqa: N806
    list_doc = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "A page (or CSV)."}}

    @router.get(
        "",
        response_model=e.page,
        summary=f"List {e.plural}",
        responses={**list_doc, **problem_responses(401, 403, 422)},
    )
    def list_rows(
        request: Request,
        response: Response,
        session: ApiSession,
        principal: ReaderDep,
        settings: SettingsDep,
        filters: Annotated[e.filters, Query()],
        sort: Annotated[SortName, Query(description="Field to sort by; prefix - for descending.")] = "id",
        cursor: Annotated[str | None, Query(max_length=2000, description="next_cursor of the page before.")] = None,
        limit: Annotated[int | None, Query(ge=1, le=LARGEST_LIMIT, description=LIMIT_TEXT)] = None,
        format: Annotated[Literal["json", "csv"] | None, Query(description="csv, or send Accept: text/csv.")] = None,
    ) -> Any:
        """Filter, search, sort and page; CSV of the whole list when asked without limit or cursor."""
        allow_deleted(principal, filters.include_deleted)
        check_vocabulary(session, filters)
        csv_wanted = wants_csv(request, format)
        if csv_wanted and limit is None and cursor is None:
            return _stream_csv(request, e, filters, sort, visibility.published_only(session))
        size = min(limit or settings.api_page_size, settings.api_max_page_size)
        page = e.list_fn(session, filters, sort=sort, cursor=cursor, limit=size, with_count=cursor is None)
        headers = {} if page.count is None else {"X-Total-Count": str(page.count)}
        if page.next_cursor:
            headers["Link"] = f'<{request.url.include_query_params(cursor=page.next_cursor)}>; rel="next"'
        if csv_wanted:
            return Response(csv_text(e.public, page.items), media_type=CSV_MEDIA_TYPE, headers=headers)
        response.headers.update(headers)
        return e.page(data=page.items, count=page.count, next_cursor=page.next_cursor)

    @router.post(
        "",
        status_code=201,
        response_model=e.detail,
        summary=f"Create a {e.kind}",
        responses=problem_responses(401, 403, 409, 422),
    )
    def create_row(body: e.create_in, response: Response, session: ApiSession, principal: WriterDep) -> Any:
        """Create a row; answers 201 with its Location and ETag."""
        refuse_nul(body)
        row = e.create(session, body, principal.actor)
        response.headers["Location"] = f"{API_BASE}/{e.plural}/{row.id}"
        _written(response, row)
        return e.read(session, row, False)


def _add_read_and_write(router: APIRouter, e: Entity) -> None:
    @router.get(
        "/{row_id}",
        response_model=e.detail,
        summary=f"Read a {e.kind}",
        responses=problem_responses(401, 403, 404, 422),
    )
    def read_row(
        row_id: RowId, response: Response, session: ApiSession, principal: ReaderDep, include_deleted: bool = False
    ) -> Any:
        """One row with its nested rows; its ETag is its version."""
        shown = allow_deleted(principal, include_deleted)
        row = get_or_404(session, e.model, row_id, include_deleted=shown)
        _written(response, row)
        return e.read(session, row, shown)

    def save(row, data, fields: set[str], session, principal, held, response: Response) -> Any:
        """The write shared by PUT and PATCH: checked against If-Match, then read back with its new ETag."""
        e.update(session, row, data, principal.actor, pick_version(held, row.version), fields)
        _written(response, row)
        return e.read(session, row, False)

    @router.put(
        "/{row_id}",
        response_model=e.detail,
        summary=f"Replace a {e.kind}",
        responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
    )
    def replace_row(
        row_id: RowId,
        body: e.update_in,
        response: Response,
        session: ApiSession,
        principal: WriterDep,
        held: IfMatchDep,
    ) -> Any:
        """Replace every field; needs If-Match with the version read (412 when stale, 428 without)."""
        refuse_nul(body)
        row = get_or_404(session, e.model, row_id)
        return save(row, body, body.model_fields_set, session, principal, held, response)

    @router.patch(
        "/{row_id}",
        response_model=e.detail,
        summary=f"Change some fields of a {e.kind}",
        responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
    )
    def patch_row(
        row_id: RowId,
        body: e.patch_in,
        response: Response,
        session: ApiSession,
        principal: WriterDep,
        held: IfMatchDep,
    ) -> Any:
        """Merge the given fields onto the row, validate the whole, save; needs If-Match like PUT."""
        refuse_nul(body)
        row = get_or_404(session, e.model, row_id)
        changes = body.model_dump(exclude_unset=True)
        data = e.update_in.model_validate({**e.state(session, row), **changes})
        return save(row, data, set(changes), session, principal, held, response)


def _add_delete_restore_and_history(router: APIRouter, e: Entity) -> None:
    @router.delete(
        "/{row_id}",
        status_code=204,
        summary=f"Delete a {e.kind} (soft)",
        responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
    )
    def delete_row(row_id: RowId, session: ApiSession, principal: WriterDep, held: IfMatchDep) -> Response:
        """Soft delete: the row is hidden but kept with its history; an admin can restore it."""
        row = get_or_404(session, e.model, row_id)
        e.service.delete(session, row, principal.actor, expected_version=pick_version(held, row.version))
        return Response(status_code=204)

    @router.post(
        "/{row_id}/restore",
        response_model=e.detail,
        summary=f"Restore a deleted {e.kind}",
        responses=problem_responses(401, 403, 404, 422),
    )
    def restore_row(row_id: RowId, response: Response, session: ApiSession, principal: WriterDep) -> Any:
        """Undo a soft delete (admins: the store's one rule, which the pages follow too)."""
        row = get_or_404(session, e.model, row_id, include_deleted=True)
        e.service.restore(session, row, principal.actor)
        _written(response, row)
        return e.read(session, row, False)

    @router.get(
        "/{row_id}/history",
        response_model=RevisionsPublic,
        summary=f"History of a {e.kind}",
        responses=problem_responses(401, 403, 404, 422),
    )
    def row_history(row_id: RowId, session: ApiSession, principal: ReaderDep, include_deleted: bool = False) -> Any:
        """Every write to the row, oldest first: who, when, and each field's before and after."""
        row = get_or_404(session, e.model, row_id, include_deleted=allow_deleted(principal, include_deleted))
        revisions = revision_views(history(session, e.kind, row.id))
        return RevisionsPublic(data=revisions, count=len(revisions))
