"""The operations side of every request: a request id, the latency metric and one access log line (the health
routes are in app/api/health.py, the 503 of a lost database connection in app/api/problems.py)."""

from __future__ import annotations

import logging
import time
import uuid

from fastapi import FastAPI

from app.ops import logs
from app.ops.metrics import REQUEST_SECONDS

log = logging.getLogger("ceiling.http")


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


def install(app: FastAPI) -> None:
    """Add request ids, the latency metric and an access log line to every request."""
    app.add_middleware(RequestContext)
