"""With public reads off, the documents about the service are not public either: /metrics, /openapi.json and the
interactive docs (/docs, /redoc) answer 401 to a caller with neither a valid bearer token nor a signed-in session.

FastAPI serves the docs and the schema outside the routers (no dependency reaches them), so this is an ASGI
middleware; it sits inside the session middleware, whose cookie it reads.
"""

from __future__ import annotations

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.api.problems import problem
from app.auth import service as auth
from app.auth import sessions

GATED = ("/metrics", "/openapi.json", "/docs", "/redoc")


def _bearer(scope) -> str | None:
    for name, value in scope.get("headers") or []:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else None
    return None


def is_signed_in_or_holds_a_token(engine, scope) -> bool:
    """A valid bearer token (any scope) or an unrevoked sign-in session of an active user."""
    token = _bearer(scope)
    sid = (scope.get("session") or {}).get("sid")
    with Session(engine) as session:
        if token and token.isascii() and len(token) <= 200 and auth.user_for_token(session, token) is not None:
            return True
        return bool(sid) and sessions.user_for(session, str(sid)) is not None


class PrivateDocuments:
    """ASGI middleware: 401 on the GATED paths for anonymous callers while public reads are off."""

    def __init__(self, app, *, public_reads: bool):
        self.app = app
        self.public_reads = public_reads

    async def __call__(self, scope, receive, send):
        if (
            scope["type"] != "http"
            or self.public_reads
            or not scope["path"].startswith(GATED)
            or await run_in_threadpool(is_signed_in_or_holds_a_token, scope["app"].state.engine, scope)
        ):
            await self.app(scope, receive, send)
            return
        headers = {"WWW-Authenticate": 'Bearer realm="ceiling"'}
        detail = "public reads are off: sign in, or send a token (Authorization: Bearer)"
        await problem(401, detail, headers=headers)(scope, receive, send)


def install(app, *, public_reads: bool) -> None:
    app.add_middleware(PrivateDocuments, public_reads=public_reads)
