"""The REST API adapter: `router` holds every /api/v1 route (app/api/router.py)."""

from app.api.router import router

__all__ = ["router"]
