"""Every route of the REST API, in one router: the entities and dashboard endpoints under /api/v1, the reports,
their review, the trajectory and feed, webhooks, the API documentation pages and the health endpoints."""

from __future__ import annotations

from fastapi import APIRouter

from app.api import (
    assessment,
    claims,
    critiques,
    docs,
    health,
    interchange,
    overrides,
    report_review,
    reports,
    results,
    review,
    sources,
    stats,
    timeline,
    webhooks,
)

v1 = APIRouter(prefix="/api/v1")
for module in (sources, claims, results, critiques, stats, assessment, overrides, interchange, review):
    v1.include_router(module.router)

router = APIRouter()
router.include_router(health.liveness)
router.include_router(v1)
for module in (report_review, timeline, webhooks, reports, docs):
    router.include_router(module.router)
router.include_router(health.readiness)
