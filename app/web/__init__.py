"""The web pages adapter: `router` holds every page, `install` adds the session cookie and error pages."""

from app.web.router import install, router

__all__ = ["install", "router"]
