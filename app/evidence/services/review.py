"""The review workflow of a claim: draft -> in_review -> reviewed (or rejected, with a reason).

Every move is a tracked update of the claim (who, when, from, to, and the reason as the revision's
note) and is allowed by the role matrix below, checked here on the server for the API and the pages
alike. Retracted means the source withdrew the claim; it is not a verdict of the review.
"""

from __future__ import annotations

from sqlmodel import Session, select

from app.auth.roles import Role
from app.evidence.base import utcnow
from app.evidence.enums import ClaimStatus, ExtractionStatus
from app.evidence.errors import Conflict, EvidenceError, NotAllowed
from app.evidence.history import Actor, update_tracked
from app.evidence.models import Claim, ExtractionRequest

S = ClaimStatus
ANALYSTS = frozenset({Role.analyst, Role.editor, Role.admin})
EDITORS = frozenset({Role.editor, Role.admin})
MIN_REASON_CHARS = 10

# (from, to) -> the roles that may make the move. Anything not listed is not a transition.
TRANSITIONS: dict[tuple[ClaimStatus, ClaimStatus], frozenset[Role]] = {
    (S.draft, S.in_review): ANALYSTS,  # submit for review
    (S.in_review, S.reviewed): EDITORS,  # accept
    (S.in_review, S.rejected): EDITORS,  # reject, with a reason
    (S.in_review, S.draft): EDITORS,  # send back for changes
    (S.rejected, S.draft): ANALYSTS,  # rework a rejected claim
    (S.reviewed, S.in_review): EDITORS,  # reopen a review
    (S.draft, S.retracted): ANALYSTS,  # the source withdrew it
    (S.in_review, S.retracted): ANALYSTS,
    (S.reviewed, S.retracted): ANALYSTS,
    (S.retracted, S.draft): EDITORS,
}
VERBS = {
    S.in_review: "Submit for review",
    S.reviewed: "Mark reviewed",
    S.rejected: "Reject",
    S.draft: "Back to draft",
    S.retracted: "Mark retracted",
}


def verb(current: str, to: str) -> str:
    """The button's words for a move ('Reopen the review' for a reviewed claim going back to review)."""
    if (current, to) == (S.reviewed, S.in_review):
        return "Reopen the review"
    return VERBS[ClaimStatus(to)]


def allowed(current: str, wanted: str, role: str) -> bool:
    """Whether a user of this role may move a claim from `current` to `wanted`."""
    return Role(role) in TRANSITIONS.get((ClaimStatus(current), ClaimStatus(wanted)), frozenset())


def moves_for(current: str, role: str | None) -> list[ClaimStatus]:
    """The statuses this role may move a claim to from `current` (the buttons on its page)."""
    if role is None:
        return []
    return [to for (start, to), roles in TRANSITIONS.items() if start == current and Role(role) in roles]


def open_extraction(session: Session, claim_id: int) -> ExtractionRequest | None:
    """The claim's dual extraction that is not yet resolved, if any."""
    query = select(ExtractionRequest).where(
        ExtractionRequest.claim_id == claim_id, ExtractionRequest.status != ExtractionStatus.resolved
    )
    return session.exec(query).first()


def move(
    session: Session,
    claim: Claim,
    to: ClaimStatus | str,
    actor: Actor,
    role: str,
    reason: str | None = None,
    expected_version: int | None = None,
    *,
    via_resolution: bool = False,
) -> dict:
    """Move a claim to another status, recorded in its history with the reason as the note."""
    to = ClaimStatus(to)
    current = ClaimStatus(claim.status)
    if claim.deleted_at is not None:
        raise Conflict(f"claim {claim.key} is deleted; restore it first", field="status")
    if (current, to) not in TRANSITIONS:
        raise Conflict(f"a {current.value} claim cannot become {to.value}", field="status")
    if not allowed(current, to, role):
        roles = " or ".join(sorted(r.value for r in TRANSITIONS[(current, to)]))
        raise NotAllowed(f"moving a claim from {current.value} to {to.value} needs the role {roles}", field="status")
    reason = (reason or "").strip() or None
    if to is S.rejected and (reason is None or len(reason) < MIN_REASON_CHARS):
        raise EvidenceError(f"a rejection needs a reason of at least {MIN_REASON_CHARS} characters", field="reason")
    if to is S.reviewed and not via_resolution and open_extraction(session, claim.id) is not None:
        raise Conflict("the claim's dual extraction is not resolved yet; an editor resolves it first", field="status")
    values = {"status": to.value, "status_reason": reason if to is S.rejected else None, "status_changed_at": utcnow()}
    return update_tracked(session, "claim", claim, values, actor, expected_version=expected_version, note=reason)


def check_direct_status(current: str | None, wanted: ClaimStatus | None) -> None:
    """Writes through the claim forms and PUT/PATCH keep the status: it moves only through `move`."""
    if wanted is None or wanted.value == (current or S.draft.value):
        return
    where = "a new claim starts as a draft" if current is None else f"the claim is {current}"
    raise EvidenceError(
        f"{where}; the status changes through the review workflow (POST /api/v1/claims/{{id}}/status)",
        field="status",
    )
