"""Health of the running app for load balancers and monitoring: liveness (/healthz), readiness (/readyz: the
database answers at the code's schema) and Prometheus metrics (/metrics).

Two routers, so that the OpenAPI document keeps /healthz first and /readyz last."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.api.problems import database_unavailable, problem
from app.ops.metrics import exposition

liveness = APIRouter()
readiness = APIRouter(tags=["health"])


@liveness.get("/healthz", tags=["health"])
def healthz(request: Request) -> JSONResponse:
    """Liveness and database check: 200 when the database answers, 503 with the reason when it does not."""
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        reason = str(error.orig if getattr(error, "orig", None) else error).splitlines()[0][:300]
        return JSONResponse({"status": "unavailable", "database": "down", "reason": reason}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up"})


@readiness.get("/readyz")
def readyz(request: Request) -> Response:
    """Readiness: 200 when the database answers and its schema is at the code's migration head, else 503."""
    try:
        with request.app.state.engine.connect() as connection:
            stored = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except SQLAlchemyError as error:
        return database_unavailable(request, str(getattr(error, "orig", None) or error).splitlines()[0][:300])
    heads = request.app.state.migration_heads
    if set(stored) != heads:
        detail = (
            f"the database schema is at {sorted(stored)}, the code expects {sorted(heads)}: run `ceiling db upgrade`"
        )
        return problem(503, detail, request=request, headers={"Retry-After": "30"})
    return JSONResponse({"status": "ready", "database": "up", "schema": sorted(heads)})


@readiness.get("/metrics", include_in_schema=False)
def metrics() -> Response:
    """Prometheus metrics of this process (or of every worker in multiprocess mode)."""
    body, content_type = exposition()
    return Response(body, media_type=content_type)
