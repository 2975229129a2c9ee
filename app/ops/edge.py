"""The edge of every request: who the client is (proxy headers, trusted only from the configured proxy) and the
security headers of every answer (docs/security.md, "Headers, secrets and what anonymous readers see").

Proxy headers: uvicorn's own middleware, but applied by the app with `CEILING_FORWARDED_ALLOW_IPS`, so the
client address that the sign-in throttle counts by is the same however the app is served; `ceiling serve` turns
uvicorn's copy (which trusts 127.0.0.1 by default) off.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, PlainTextResponse
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

# Pages and the API: scripts only from this site; styles also inline (the self-contained reports carry theirs);
# no plugin, no <base>, forms post only here, and only this site may frame a page (the report review shows
# two reports side by side in frames).
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)
# FastAPI's interactive docs load Swagger UI and ReDoc from their CDN and start them with an inline script.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "font-src 'self' https://fonts.gstatic.com; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'self'"
)
DOCS_PATHS = ("/docs", "/redoc")
HSTS = b"max-age=31536000; includeSubDomains"
COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]


class SecurityHeaders:
    """ASGI middleware: CSP, nosniff, framing, referrer and opener policies on every answer; HSTS over HTTPS
    (the request's scheme, as the trusted proxy reports it) or when the operator declares HTTPS (Secure cookies)."""

    def __init__(self, app, *, https: bool = False):
        self.app = app
        self.https = https

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_POLICY if scope["path"].startswith(DOCS_PATHS) else POLICY
        extra = [*COMMON, (b"content-security-policy", policy.encode())]
        if self.https or scope.get("scheme") == "https":
            extra.append((b"strict-transport-security", HSTS))

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in extra if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """ASGI middleware: a request body larger than `max_bytes` answers 413 (problem+json under /api/), whether its
    Content-Length says so up front or its chunks grow past the bound while the app reads them."""

    def __init__(self, app, *, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return
        received = 0

        async def bounded_receive():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise HTTPException(413, self._detail())
            return message

        await self.app(scope, bounded_receive, send)

    def _detail(self) -> str:
        return f"the request body is larger than {self.max_bytes} bytes (CEILING_REQUEST_MAX_BYTES)"

    async def _refuse(self, scope, send) -> None:
        if scope["path"].startswith("/api/"):
            body = {"type": "about:blank", "title": "Content Too Large", "status": 413, "detail": self._detail()}
            response = JSONResponse(body, status_code=413, media_type="application/problem+json")
        else:
            response = PlainTextResponse(self._detail(), status_code=413)
        await response(scope, _no_body, send)


async def _no_body():
    return {"type": "http.request", "body": b"", "more_body": False}


def trusted_proxies(value: str) -> list[str]:
    """The addresses and networks of CEILING_FORWARDED_ALLOW_IPS, one list ('' trusts nobody)."""
    return [part.strip() for part in value.split(",") if part.strip()]


def install(app, *, forwarded_allow_ips: str, https: bool, max_body_bytes: int) -> None:
    """Add the body bound and the security headers, then (outermost, so everything inside sees the real client)
    the proxy headers."""
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_middleware(SecurityHeaders, https=https)
    proxies = trusted_proxies(forwarded_allow_ips)
    if proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
