"""The operations side of the web app: request ids and latency for every request, /metrics, /readyz,
and 503 (problem+json, Retry-After) when the database connection is lost, instead of a 500.

Recovery needs nothing: the pool checks connections before use (pool_pre_ping), so once the database
answers again the next request gets a fresh connection.
"""

from __future__ import annotations

import logging
import time
import uuid

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InterfaceError, SQLAlchemyError

from app.api.problems import problem
from app.ops import logs
from app.ops.metrics import REQUEST_SECONDS, exposition

log = logging.getLogger("ceiling.http")
RETRY_AFTER_S = "2"
router = APIRouter(tags=["health"])


class RequestContext:
    """ASGI middleware: a request id (X-Request-ID in and out), the latency metric and one access log line."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = given if logs.SAFE_ID.fullmatch(given) else uuid.uuid4().hex
        token = logs.request_id.set(rid)
        status = {"code": 500}
        started = time.perf_counter()

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope)
            REQUEST_SECONDS.labels(scope["method"], route, str(status["code"])).observe(seconds)
            log.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status["code"],
                extra={"route": route, "status": status["code"], "ms": round(seconds * 1000, 1)},
            )
            logs.request_id.reset(token)


def route_template(scope) -> str:
    """The matched route's path template with its router prefixes ('/api/v1/claims/{key}'), else 'unmatched'.

    FastAPI keeps included routes with their own path and records the full template in its scope."""
    context = (scope.get("fastapi") or {}).get("effective_route_context")
    full = getattr(context, "path_format", None)
    return full or getattr(scope.get("route"), "path", None) or "unmatched"


def _unavailable(request: Request, reason: str) -> JSONResponse:
    log.warning("database unavailable at %s: %s", request.url.path, reason)
    detail = "the database is unavailable; try again shortly"
    return problem(503, detail, request=request, headers={"Retry-After": RETRY_AFTER_S})


async def _lost_connection(request: Request, exc: DBAPIError) -> Response:
    """A dropped connection (server restarted or gone) is a 503 to retry, not a server error."""
    if exc.connection_invalidated or isinstance(exc, InterfaceError):
        return _unavailable(request, str(exc.orig or exc).splitlines()[0][:300])
    from app.api.problems import _unexpected

    return await _unexpected(request, exc)


@router.get("/readyz")
def readyz(request: Request) -> Response:
    """Readiness: 200 when the database answers and its schema is at the code's migration head, else 503."""
    try:
        with request.app.state.engine.connect() as connection:
            stored = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except SQLAlchemyError as error:
        return _unavailable(request, str(getattr(error, "orig", None) or error).splitlines()[0][:300])
    heads = request.app.state.migration_heads
    if set(stored) != heads:
        detail = (
            f"the database schema is at {sorted(stored)}, the code expects {sorted(heads)}: run `ceiling db upgrade`"
        )
        return problem(503, detail, request=request, headers={"Retry-After": "30"})
    return JSONResponse({"status": "ready", "database": "up", "schema": sorted(heads)})


@router.get("/metrics", include_in_schema=False)
def metrics() -> Response:
    """Prometheus metrics of this process (or of every worker in multiprocess mode)."""
    body, content_type = exposition()
    return Response(body, media_type=content_type)


def install(app: FastAPI) -> None:
    """Add request ids and metrics to every request, the outage handler and the two routes."""
    from alembic.script import ScriptDirectory

    from app.db.migrate import alembic_config

    app.state.migration_heads = set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())
    app.add_middleware(RequestContext)
    app.add_exception_handler(DBAPIError, _lost_connection)
    app.include_router(router)
