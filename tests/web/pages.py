"""Every page route of the web app, and the users and ids to fill their paths with."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute

from app.web import movement, report_review, reports, timeline
from app.web.router import PAGE_MODULES

NOT_FORMS_OR_LISTS = (reports, report_review, timeline, movement)  # the reports have tests of their own


def page_routes() -> list[APIRoute]:
    """Every route of the web pages (not the API, not the reports)."""
    routers = [module.router for module in PAGE_MODULES if module not in NOT_FORMS_OR_LISTS]
    return [route for router in routers for route in router.routes if isinstance(route, APIRoute)]


def routes_of(method: str) -> list[str]:
    return sorted({route.path for route in page_routes() if method in route.methods})


def fill(path: str, ids: dict[str, int]) -> str:
    """/claims/{claim_id:int}/edit -> /claims/12/edit."""
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(ids[m.group(1)]), path)
