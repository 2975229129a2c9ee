"""The review queue: what waits for a user, oldest first. Editors review claims and resolve
disagreements; the analysts named in a dual extraction submit theirs; an analyst reworks the
claims of theirs that were rejected."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, func, select

from app.auth.roles import Role
from app.evidence.enums import ClaimStatus, ExtractionStatus
from app.evidence.models import Claim, ClaimAspect, Extraction, ExtractionRequest, Revision, Source
from app.evidence.services import review

KINDS = {
    "review": "Claim to review",
    "extract": "Extraction to submit",
    "resolve": "Disagreement to resolve",
    "rework": "Rejected claim to rework",
}


@dataclass(frozen=True)
class QueueItem:
    kind: str
    claim_id: int
    claim_key: str
    claim_text: str
    since: dt.datetime
    request_id: int | None = None
    detail: str = ""

    @property
    def href(self) -> str:
        if self.kind == "extract":
            return f"/extractions/{self.request_id}/mine"
        if self.kind == "resolve":
            return f"/extractions/{self.request_id}"
        return f"/claims/{self.claim_id}"


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _live_claims(aspect: str | None):
    query = select(Claim).join(Source, Source.id == Claim.source_id)
    query = query.where(Claim.deleted_at.is_(None), Source.deleted_at.is_(None))
    if aspect:
        query = query.where(Claim.id.in_(select(ClaimAspect.claim_id).where(ClaimAspect.aspect_key == aspect)))
    return query


def _claims_to_review(session: Session, aspect: str | None) -> list[QueueItem]:
    busy = select(ExtractionRequest.claim_id).where(ExtractionRequest.status != ExtractionStatus.resolved)
    query = _live_claims(aspect).where(Claim.status == ClaimStatus.in_review, Claim.id.not_in(busy))
    return [
        QueueItem("review", c.id, c.key, c.text, _aware(c.status_changed_at or c.updated_at))
        for c in session.exec(query)
    ]


def _requests(session: Session, aspect: str | None, status: str) -> list[tuple[ExtractionRequest, Claim]]:
    claims = _live_claims(aspect).subquery()
    query = select(ExtractionRequest, Claim).join(Claim, Claim.id == ExtractionRequest.claim_id)
    query = query.where(ExtractionRequest.status == status, Claim.id.in_(select(claims.c.id)))
    return list(session.exec(query))


def _extractions_to_submit(session: Session, user_id: int, aspect: str | None) -> list[QueueItem]:
    done = set(session.exec(select(Extraction.request_id).where(Extraction.analyst_id == user_id)))
    return [
        QueueItem("extract", c.id, c.key, c.text, _aware(r.created_at), r.id, f"asked by {r.requested_by}")
        for r, c in _requests(session, aspect, ExtractionStatus.open)
        if user_id in (r.first_analyst_id, r.second_analyst_id) and r.id not in done
    ]


def _to_resolve(session: Session, user_id: int, aspect: str | None) -> list[QueueItem]:
    return [
        QueueItem("resolve", c.id, c.key, c.text, _aware(r.updated_at), r.id, f"{r.first_analyst}, {r.second_analyst}")
        for r, c in _requests(session, aspect, ExtractionStatus.submitted)
        if user_id not in (r.first_analyst_id, r.second_analyst_id)
    ]


def _to_rework(session: Session, user_id: int, aspect: str | None) -> list[QueueItem]:
    mine = select(Revision.entity_id).where(
        Revision.entity_kind == "claim", Revision.action == "create", Revision.user_id == user_id
    )
    query = _live_claims(aspect).where(Claim.status == ClaimStatus.rejected, Claim.id.in_(mine))
    return [
        QueueItem("rework", c.id, c.key, c.text, _aware(c.status_changed_at or c.updated_at), None, c.status_reason)
        for c in session.exec(query)
    ]


def waiting_for(
    session: Session, user_id: int, role: str, *, kind: str | None = None, aspect: str | None = None
) -> list[QueueItem]:
    """What waits for this user, oldest first, optionally of one kind or on one aspect."""
    items: list[QueueItem] = []
    editor = Role(role) in review.EDITORS
    wanted = [kind] if kind else list(KINDS)
    if "review" in wanted and editor:
        items += _claims_to_review(session, aspect)
    if "resolve" in wanted and editor:
        items += _to_resolve(session, user_id, aspect)
    if "extract" in wanted:
        items += _extractions_to_submit(session, user_id, aspect)
    if "rework" in wanted:
        items += _to_rework(session, user_id, aspect)
    return sorted(items, key=lambda item: (item.since, item.claim_key))


def count_waiting(session: Session, user_id: int, role: str) -> int:
    """How many items wait for this user (the navigation's badge): counted in the database where the list could
    be long (claims in review, rejected claims), listed where it is short (open extraction requests)."""
    editor = Role(role) in review.EDITORS
    count = 0
    if editor:
        busy = select(ExtractionRequest.claim_id).where(ExtractionRequest.status != ExtractionStatus.resolved)
        in_review = _live_claims(None).where(Claim.status == ClaimStatus.in_review, Claim.id.not_in(busy))
        count += session.exec(select(func.count()).select_from(in_review.subquery())).one()
        count += len(_to_resolve(session, user_id, None))
    mine = select(Revision.entity_id).where(
        Revision.entity_kind == "claim", Revision.action == "create", Revision.user_id == user_id
    )
    rejected = _live_claims(None).where(Claim.status == ClaimStatus.rejected, Claim.id.in_(mine))
    count += session.exec(select(func.count()).select_from(rejected.subquery())).one()
    return count + len(_extractions_to_submit(session, user_id, None))


def status_counts(session: Session) -> dict[str, int]:
    """Live claims by review status, every status listed."""
    query = (
        select(Claim.status, func.count())
        .join(Source, Source.id == Claim.source_id)
        .where(Claim.deleted_at.is_(None), Source.deleted_at.is_(None))
        .group_by(Claim.status)
    )
    found = {status: count for status, count in session.exec(query)}
    return {status.value: found.get(status.value, 0) for status in ClaimStatus}
