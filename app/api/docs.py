"""/docs (Swagger UI) and /redoc served from files installed with the app, so they work without internet.

The files come from the PyPI package fastapi-offline, which carries swagger-ui-dist's bundle and stylesheet
(Apache-2.0) and Redoc's standalone bundle (MIT); the app mounts its folder at /docs-assets (app/main.py) and
these pages point FastAPI's own page builders at it. Redoc is told not to load Google Fonts, and its bundle is
served without the address of its footer logo, the one file it would fetch from elsewhere. docs/reading.md
says why a package rather than vendored files.

Both pages pass the accessibility test of every page (tests/web/test_reading_e2e.py, docs/reading.md): a local
stylesheet (/static/api-docs.css) darkens the colours of theirs that lack contrast (and lightens those of Swagger
UI's highlighter on its dark code boxes), Redoc's theme darkens those it reaches, Swagger UI draws no deep link inside
its operations' buttons (a link inside a button is unreachable by screen readers), Redoc wraps its code samples
rather than scrolling them sideways (a scrolling box without a focusable element cannot be scrolled by keyboard), and
a local script (/static/api-docs.js) names the form controls that Swagger UI and Redoc leave unnamed and gives
Redoc's side menu valid menu roles. The test checks them as they load and once used (a GET run, a tag opened).
"""

from __future__ import annotations

import html
import json
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
# Swagger UI's deep links put a link inside each operation's button (axe-core: nested-interactive), so none. Its
# highlighter's theme is named (its default) because /static/api-docs.css lightens two of that theme's colours.
SWAGGER_UI_PARAMETERS = {
    "tryItOutEnabled": True,
    "validatorUrl": None,
    "deepLinking": False,
    "syntaxHighlight.theme": "agate",
}
# Redoc's theme (its `theme` option): response tabs readable on the dark right panel, inline code darker than its
# #e53935 on grey, and code samples wrapped instead of scrolled. The rest is in /static/api-docs.css.
REDOC_THEME = {
    "typography": {"code": {"color": "#b71c1c", "wrap": True}},
    "colors": {
        "responses": {
            "success": {"tabTextColor": "#6ccf73"},
            "error": {"tabTextColor": "#ff8a80"},
            "redirect": {"tabTextColor": "#ffb74d"},
            "info": {"tabTextColor": "#87ceeb"},
        }
    },
}


def _root(request: Request) -> str:
    return request.scope.get("root_path", "")


def _local(page: HTMLResponse, root: str) -> HTMLResponse:
    """The page in English (for screen readers), with the app's stylesheet and script for the docs, under a policy
    that loads nothing from elsewhere."""
    text = page.body.decode().replace("<html>", '<html lang="en">', 1)
    text = text.replace("</head>", f'<link rel="stylesheet" href="{root}/static/api-docs.css">\n</head>', 1)
    text = text.replace("</body>", f'<script src="{root}/static/api-docs.js"></script>\n</body>', 1)
    theme = html.escape(json.dumps(REDOC_THEME, separators=(",", ":")))
    text = text.replace("<redoc ", f'<redoc theme="{theme}" ', 1)  # Redoc reads its options from its element
    return HTMLResponse(text, headers={"Content-Security-Policy": CSP})


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
            swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
        ),
        root,
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
        ),
        root,
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
