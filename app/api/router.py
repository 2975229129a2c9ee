"""The REST API under /api/v1: one router per evidence kind, plus the dashboard endpoints."""

from __future__ import annotations

from fastapi import APIRouter

from app.api import assessment, claims, critiques, interchange, overrides, results, review, sources, stats

router = APIRouter(prefix="/api/v1")
for module in (sources, claims, results, critiques, stats, assessment, overrides, interchange, review):
    router.include_router(module.router)
