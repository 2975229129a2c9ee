"""/docs (Swagger UI) and /redoc served from files installed with the app, so they work without internet.

The files come from the PyPI package fastapi-offline, which carries swagger-ui-dist's bundle and stylesheet
(Apache-2.0) and Redoc's standalone bundle (MIT); the app mounts its folder at /docs-assets (app/main.py) and
these pages point FastAPI's own page builders at it. Redoc is told not to load Google Fonts, and its bundle is
served without the address of its footer logo, the one file it would fetch from elsewhere. docs/reading.md
says why a package rather than vendored files.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, Response

ASSETS_URL = "/docs-assets"
# Nothing on these pages may come from another host (Redoc's footer logo would): the browser refuses it.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'"
)
ASSETS_DIR = files("fastapi_offline") / "static"
router = APIRouter(include_in_schema=False)


def _root(request: Request) -> str:
    return request.scope.get("root_path", "")


def _local(page: HTMLResponse) -> HTMLResponse:
    """The page in English (for screen readers) and under a policy that loads nothing from elsewhere."""
    html = page.body.decode().replace("<html>", '<html lang="en">', 1)
    return HTMLResponse(html, headers={"Content-Security-Policy": CSP})


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    """The interactive API documentation (Swagger UI), from local files."""
    root = _root(request)
    return _local(
        get_swagger_ui_html(
            openapi_url=f"{root}{request.app.openapi_url}",
            title=f"{request.app.title}: interactive API documentation",
            oauth2_redirect_url=f"{root}/docs/oauth2-redirect",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            swagger_ui_parameters={"tryItOutEnabled": True, "validatorUrl": None},
        )
    )


@router.get("/docs/oauth2-redirect", response_class=HTMLResponse)
def swagger_ui_redirect() -> HTMLResponse:
    """Swagger UI's OAuth2 redirect page (kept for completeness; the API uses bearer tokens)."""
    return get_swagger_ui_oauth2_redirect_html()


@router.get("/redoc", response_class=HTMLResponse)
def redoc(request: Request) -> HTMLResponse:
    """The API reference (Redoc), from local files, without web fonts."""
    root = _root(request)
    return _local(
        get_redoc_html(
            openapi_url=f"{root}{request.app.openapi_url}",
            title=f"{request.app.title}: API reference",
            redoc_js_url=f"{root}/docs/redoc.js",
            redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
    )


REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@cache
def _redoc_bundle() -> bytes:
    return (ASSETS_DIR / "redoc.standalone.js").read_text(encoding="utf-8").replace(REDOC_LOGO, "").encode()


@router.get("/docs/redoc.js")
def redoc_bundle() -> Response:
    """Redoc's bundle without the one image it loads from its makers' server (its footer logo)."""
    headers = {"Cache-Control": "public, max-age=86400"}
    return Response(_redoc_bundle(), media_type="text/javascript; charset=utf-8", headers=headers)
