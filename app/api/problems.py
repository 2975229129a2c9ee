"""RFC 9457 problem details for every error under /api/: one shape for 4xx and 5xx, never a stack trace.

422 bodies carry `errors`: one entry per bad input, with where it was (`in`: body, query, header,
path) and the dotted path of the field (`field`, e.g. `results.0.params`; empty for the body as
a whole; for a query parameter its name, also when one of its repeated values is the bad one).
Elsewhere (the pages) FastAPI's default handlers answer, except for the catch-all 500, which is
plain text there.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.openapi import path_item
from app.assessment.live import AssessmentPending
from app.evidence.errors import Conflict, EvidenceError, NotAllowed, NotFound, StaleVersion
from app.evidence.messages import plain_message

PROBLEM_JSON = "application/problem+json"
API_PREFIX = "/api/"
RETRY_AFTER_S = "2"
log = logging.getLogger("ceiling.api")


class FieldProblem(BaseModel):
    """One bad input."""

    in_: str = Field(alias="in", description="body, query, header, path or cookie")
    field: str = Field(
        description="Dotted path of the field in its location (of a query parameter: its name); empty for the body."
    )
    message: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldProblem] | None = None
    current_version: int | None = Field(None, description="On 412: the version the resource is at now.")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "type": "about:blank",
                    "title": "Unprocessable Content",
                    "status": 422,
                    "detail": "1 invalid input",
                    "instance": "/api/v1/claims",
                    "errors": [
                        {
                            "in": "body",
                            "field": "confidence",
                            "message": "Enter a number no larger than 1.",
                            "type": "less_than_equal",
                        }
                    ],
                }
            ]
        }
    }


def problem(
    status: int,
    detail: str | None = None,
    *,
    request: Request | None = None,
    errors: list[dict] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem+json response."""
    body: dict[str, Any] = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status}
    if detail:
        body["detail"] = detail
    if request is not None:
        body["instance"] = request.url.path
    if errors is not None:
        body["errors"] = errors
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def field_problems(errors: list[dict], default_in: str = "body") -> list[dict]:
    """pydantic/FastAPI error dicts as FieldProblems (never echoing the input)."""
    out = []
    for error in errors:
        loc = list(error.get("loc", ()))
        where = default_in
        if loc and loc[0] in ("body", "query", "header", "path", "cookie"):
            where = loc.pop(0)
        message = plain_message(error)
        if where == "query":  # the parameter's name, not the position of a repeated value (`key`, not `key.1`)
            loc = loc[:1]
        field = ".".join(str(part) for part in loc)
        out.append({"in": where, "field": field, "message": message, "type": error.get("type", "")})
    return out


def validation_problem(request: Request, errors: list[dict], default_in: str = "body") -> JSONResponse:
    items = field_problems(errors, default_in)
    detail = f"{len(items)} invalid input{'s' if len(items) != 1 else ''}: " + "; ".join(
        f"{e['field'] or e['in']}: {e['message']}" for e in items[:5]
    )
    return problem(422, detail[:2000], request=request, errors=items)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def allowed_methods(request: Request) -> str | None:
    """Every method the OpenAPI schema documents for the request's path (a 405 names them all in Allow)."""
    methods = sorted(m.upper() for m in path_item(request) if m in {"get", "put", "post", "patch", "delete"})
    return ", ".join(methods) or None


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if not _is_api(request):
        return await http_exception_handler(request, exc)
    detail = exc.detail if isinstance(exc.detail, str) else None
    if exc.status_code == 400:  # the API raises no 400: FastAPI's (broken JSON) or Starlette's (broken form data)
        message = "the body could not be parsed"
        if detail not in (None, "There was an error parsing the body"):
            message += f": {detail}"
        error = {"in": "body", "field": "", "message": message, "type": "body_unparsable"}
        return problem(422, "the body could not be parsed as the Content-Type says", request=request, errors=[error])
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405 and (allow := allowed_methods(request)):
        headers["Allow"] = allow
    return problem(exc.status_code, detail, request=request, headers=headers or None)


async def _request_invalid(request: Request, exc: RequestValidationError) -> Response:
    if not _is_api(request):
        return await request_validation_exception_handler(request, exc)
    return validation_problem(request, list(exc.errors()))


async def _pydantic_invalid(request: Request, exc: ValidationError) -> Response:
    return validation_problem(request, exc.errors(include_input=False, include_url=False))


async def _evidence_error(request: Request, exc: EvidenceError) -> Response:
    if isinstance(exc, StaleVersion):
        return problem(412, exc.message, request=request, current_version=exc.current_version)
    status = 409 if isinstance(exc, Conflict) else 404 if isinstance(exc, NotFound) and not exc.field else 422
    status = 403 if isinstance(exc, NotAllowed) else status
    errors = None
    if exc.field is not None:
        where = getattr(exc, "location", "body")
        errors = [{"in": where, "field": exc.field, "message": exc.message, "type": type(exc).__name__.lower()}]
    return problem(status, exc.message, request=request, errors=errors)


async def _integrity_error(request: Request, exc: IntegrityError) -> Response:
    log.info("integrity error at %s: %s", request.url.path, str(exc.orig).splitlines()[0] if exc.orig else exc)
    return problem(409, "the write conflicts with stored data (a duplicate or a missing reference)", request=request)


async def _data_error(request: Request, exc: DataError) -> Response:
    log.info("data error at %s: %s", request.url.path, str(exc.orig).splitlines()[0] if exc.orig else exc)
    return problem(422, "a value cannot be stored (out of range or not valid text)", request=request)


async def _database_busy(request: Request, exc: OperationalError) -> Response:
    log.warning("database error at %s: %s", request.url.path, str(exc.orig).splitlines()[0] if exc.orig else exc)
    return problem(503, "the database is busy or unavailable; try again", request=request, headers={"Retry-After": "1"})


async def _too_deep(request: Request, exc: RecursionError) -> Response:
    """Input nested deeper than Python's parsers recurse (a JSON body, a field, a file of [[[[...]]]]): the
    request's fault, answered 422 (400 on pages), never 500."""
    log.info("input nested too deeply at %s", request.url.path)
    detail = "the input is nested too deeply to read"
    if not _is_api(request):
        return PlainTextResponse(detail, status_code=400)
    error = {"in": "body", "field": "", "message": detail, "type": "too_deep"}
    return problem(422, detail, request=request, errors=[error])


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error at %s %s", request.method, request.url.path)
    if not _is_api(request):
        return PlainTextResponse("Internal Server Error", status_code=500)
    return problem(500, "an unexpected error occurred; it has been logged", request=request)


def database_unavailable(request: Request, reason: str) -> JSONResponse:
    log.warning("database unavailable at %s: %s", request.url.path, reason)
    detail = "the database is unavailable; try again shortly"
    return problem(503, detail, request=request, headers={"Retry-After": RETRY_AFTER_S})


async def _pool_exhausted(request: Request, exc: PoolTimeout) -> Response:
    """Every pooled connection busy for CEILING_DATABASE_POOL_TIMEOUT_S: a 503 to retry (pages too), never a 500."""
    log.warning("database pool exhausted at %s: %s", request.url.path, str(exc).splitlines()[0][:300])
    detail = "the server is busy (every database connection is in use); try again shortly"
    if not _is_api(request):
        return PlainTextResponse(detail, status_code=503, headers={"Retry-After": RETRY_AFTER_S})
    return problem(503, detail, request=request, headers={"Retry-After": RETRY_AFTER_S})


async def _lost_connection(request: Request, exc: DBAPIError) -> Response:
    """A dropped connection (server restarted or gone) is a 503 to retry, not a server error."""
    if exc.connection_invalidated or isinstance(exc, InterfaceError):
        return database_unavailable(request, str(exc.orig or exc).splitlines()[0][:300])
    return await _unexpected(request, exc)


async def _assessment_pending(request: Request, exc: AssessmentPending) -> Response:
    """An assessment being computed elsewhere: the worker's of the current evidence, or a queued as-of one."""
    detail = str(exc)
    headers = {"Retry-After": str(exc.retry_after_s)}
    if not _is_api(request):
        return PlainTextResponse(f"{detail[:1].upper()}{detail[1:]}.", status_code=503, headers=headers)
    return problem(503, detail, request=request, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    """Register the problem+json handlers on the app."""
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _request_invalid)
    app.add_exception_handler(ValidationError, _pydantic_invalid)
    app.add_exception_handler(EvidenceError, _evidence_error)
    app.add_exception_handler(AssessmentPending, _assessment_pending)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(OperationalError, _database_busy)
    app.add_exception_handler(DBAPIError, _lost_connection)
    app.add_exception_handler(PoolTimeout, _pool_exhausted)
    app.add_exception_handler(RecursionError, _too_deep)
    app.add_exception_handler(Exception, _unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict]:
    """OpenAPI `responses` entries for the given error statuses, all problem+json."""
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "model": Problem,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
