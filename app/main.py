"""The FastAPI application factory: engines in the lifespan, routers of each concern, static files."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from app import api, web
from app.api import docs as api_docs
from app.api import gate as api_gate
from app.api import openapi as api_openapi
from app.api.parameters import check_parameters
from app.api.problems import install_problem_handlers
from app.assessment.asof import record_settings_in_force
from app.assessment.live import cancel_refresh, warm_in_background
from app.config import Settings, get_settings
from app.db import migrate
from app.db.engine import build_engine
from app.ops import edge as ops_edge
from app.ops import http as ops_http
from app.web.render import WEB_DIR

STATIC_DIR = WEB_DIR / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        record_settings_in_force(app.state.engine, settings)
        scheduler = None
        if settings.scheduler_in_app:
            from app.reports.schedule import start_background

            scheduler = start_background(settings)
        if settings.assessment_warm_start:
            # With the scheduler in the app, its first build (at once) computes the assessment and shares it; a
            # warm start beside it would compute the same and race it to the cache ("database is locked" on
            # SQLite), so it only holds the evidence then.
            warm_in_background(app.state.engine, settings, assessment=scheduler is None)
        yield
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        cancel_refresh(app.state.engine)
        app.state.engine.dispose()

    app = FastAPI(
        title="Ceiling",
        version="0.1.0",
        summary="Evidence database and scored tractability-ceiling assessment for mechanistic interpretability.",
        lifespan=lifespan,
        docs_url=None,  # /docs and /redoc come from app/api/docs.py, with their files served locally
        redoc_url=None,
        dependencies=[Depends(check_parameters)],  # every /api/ operation; pages are left alone
    )
    app.state.settings = settings
    app.state.engine = build_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_timeout_s=settings.database_pool_timeout_s,
    )
    app.state.migration_heads = migrate.heads()
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount(api_docs.ASSETS_URL, StaticFiles(directory=str(api_docs.ASSETS_DIR)), name="docs-assets")
    app.include_router(api.router)
    app.include_router(web.router)
    install_problem_handlers(app)
    api_openapi.install(app)
    api_gate.install(app, public_reads=settings.public_reads)  # inside the session cookie's middleware
    web.install(app, settings)
    ops_http.install(app)
    ops_edge.install(
        app,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        https=settings.secure_cookies,
        max_body_bytes=settings.max_body_bytes,
    )
    return app
