"""The FastAPI application factory: engines in the lifespan, routers of each concern, static files."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.config import Settings, get_settings
from app.db import build_engine
from app.web import pages

STATIC_DIR = pages.WEB_DIR / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        app.state.engine.dispose()

    app = FastAPI(
        title="Ceiling",
        version="0.1.0",
        summary="Evidence database and scored tractability-ceiling assessment for mechanistic interpretability.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = build_engine(settings.database_url)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(pages.router)
    return app
