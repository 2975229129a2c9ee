"""/api/v1/reports: the published report snapshots as JSON (list, one, diff), the same data as the pages."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel, Field

from app.api.deps import ApiSession, ReaderDep
from app.api.problems import problem_responses
from app.reports import snapshots
from app.reports.models import ReportSnapshot

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
Ref = Annotated[str, Path(pattern=r"^(latest|[0-9]{1,12})$", description="A snapshot id, or 'latest'.", max_length=12)]


class SnapshotPublic(BaseModel):
    """A published snapshot: when, its input fingerprint, the engine that computed it, where its files are."""

    id: int
    created_at: str
    fingerprint: str
    engine_version: str
    schema_version: str
    directory: str
    links: dict[str, str]


class SnapshotsPublic(BaseModel):
    data: list[SnapshotPublic]
    count: int


class SnapshotDetail(SnapshotPublic):
    """A snapshot with its Assessment (as stored, in the schema version it was computed with)."""

    assessment: dict[str, Any]


class ReportDiff(BaseModel):
    """What changed from one snapshot to another; every movement names the evidence responsible."""

    from_: dict[str, Any] = Field(alias="from")
    to: dict[str, Any]
    ceilings: list[dict[str, Any]]
    confidence: list[dict[str, Any]]
    bands: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    settings_changed: bool
    lines: list[str]


def public(row: ReportSnapshot) -> dict[str, Any]:
    meta = snapshots.snapshot_meta(row)
    base = f"/reports/{row.id}"
    return {
        "id": row.id,
        "created_at": meta["created_at"],
        "fingerprint": row.fingerprint,
        "engine_version": row.engine_version,
        "schema_version": row.schema_version,
        "directory": row.directory,
        "links": {"html": base, "markdown": f"{base}.md", "json": f"{base}.json", "csv": f"{base}.csv"},
    }


def _resolve(session, ref: str) -> ReportSnapshot:
    try:
        return snapshots.resolve(session, ref)
    except snapshots.SnapshotNotFound as error:
        raise HTTPException(404, str(error)) from None


@router.get("", response_model=SnapshotsPublic, responses=problem_responses(401, 422))
def list_reports(
    session: ApiSession, _reader: ReaderDep, limit: int = Query(50, ge=1, le=200, description="At most this many.")
) -> dict:
    """The published snapshots, newest first."""
    rows = snapshots.get_all(session, limit)
    return {"data": [public(row) for row in rows], "count": len(rows)}


@router.get("/{ref}", response_model=SnapshotDetail, responses=problem_responses(401, 404, 422))
def get_report(ref: Ref, session: ApiSession, _reader: ReaderDep) -> dict:
    """One snapshot (an id or 'latest') with its Assessment."""
    row = _resolve(session, ref)
    return {**public(row), "assessment": json.loads(row.assessment_json)}


@router.get(
    "/{a}/diff/{b}", response_model=ReportDiff, response_model_by_alias=True, responses=problem_responses(401, 404, 422)
)
def diff_reports(a: Ref, b: Ref, session: ApiSession, _reader: ReaderDep) -> dict:
    """What changed from snapshot `a` to snapshot `b` (ids or 'latest')."""
    _resolve(session, a), _resolve(session, b)
    return snapshots.diff(session, a, b)
