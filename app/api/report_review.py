"""/api/v1/reports/candidates: staged reports for editors (settings.publish_requires_approval)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from app.api.deps import ApiSession, EditorDep
from app.api.problems import problem_responses
from app.api.reports import ReportDiff, SnapshotPublic, public
from app.db.session import SettingsDep
from app.reports import approval
from app.reports.models import ReportSnapshot

router = APIRouter(prefix="/api/v1/reports/candidates", tags=["reports"])
CandidateId = Annotated[int, Path(ge=1, le=10**12, description="The candidate's snapshot id.")]


class CandidatePublic(SnapshotPublic):
    """A staged build: candidate (awaiting an editor) or rejected (with who and why)."""

    status: str
    reviewed_by: str | None
    reviewed_at: str | None
    review_reason: str | None


class CandidatesPublic(BaseModel):
    data: list[CandidatePublic]
    count: int


class CandidateReview(BaseModel):
    """A candidate, the published report it would replace, and the difference between them."""

    candidate: CandidatePublic
    published: SnapshotPublic | None
    diff: ReportDiff | None


class RejectIn(BaseModel):
    reason: str = Field(min_length=1, max_length=5000, description="Why readers should not see this report.")


def _candidate(row: ReportSnapshot) -> dict[str, Any]:
    reviewed = row.reviewed_at.strftime("%Y-%m-%dT%H:%M:%SZ") if row.reviewed_at else None
    links = {"html": f"/reports/candidates/{row.id}", "report": f"/reports/candidates/{row.id}/report"}
    return {
        **public(row),
        "links": links,
        "status": row.status,
        "reviewed_by": row.reviewed_by,
        "reviewed_at": reviewed,
        "review_reason": row.review_reason,
    }


@router.get("", response_model=CandidatesPublic, responses=problem_responses(401, 403))
def list_candidates(session: ApiSession, _editor: EditorDep) -> dict:
    """Staged reports, newest first: the candidate awaiting review and those rejected."""
    rows = approval.candidates(session)
    return {"data": [_candidate(row) for row in rows], "count": len(rows)}


@router.get("/{snapshot_id}", response_model=CandidateReview, responses=problem_responses(401, 403, 404))
def get_candidate(snapshot_id: CandidateId, session: ApiSession, _editor: EditorDep) -> dict:
    """One candidate with the published report it would replace and the diff (naming the evidence responsible)."""
    found = approval.review(session, approval.get_candidate(session, snapshot_id))
    return {
        "candidate": _candidate(found["candidate"]),
        "published": public(found["published"]) if found["published"] else None,
        "diff": found["diff"],
    }


@router.post("/{snapshot_id}/approve", response_model=CandidatePublic, responses=problem_responses(401, 403, 404, 409))
def approve_candidate(
    snapshot_id: CandidateId, session: ApiSession, settings: SettingsDep, principal: EditorDep
) -> dict:
    """Publish the candidate: its files are written and it becomes the latest report, atomically."""
    approval.get_candidate(session, snapshot_id)
    session.rollback()
    return _candidate(approval.approve(settings, snapshot_id, principal.user.username))


@router.post(
    "/{snapshot_id}/reject", response_model=CandidatePublic, responses=problem_responses(401, 403, 404, 409, 422)
)
def reject_candidate(snapshot_id: CandidateId, data: RejectIn, session: ApiSession, principal: EditorDep) -> dict:
    """Refuse the candidate with a reason; the published report stays latest."""
    approval.reject(session, snapshot_id, principal.user.username, data.reason)
    session.flush()
    return _candidate(approval.get_candidate(session, snapshot_id))
