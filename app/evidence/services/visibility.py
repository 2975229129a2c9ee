"""Who sees unpublished claims: the one rule reads of the evidence follow.

With CEILING_PUBLISH_REVIEWED_ONLY on, a reader who is not an analyst sees only published claims (reviewed
or retracted, app/evidence/publication.py), the results of those claims and the critiques whose target and
critic claim are both published. The published reports capture their evidence by this rule
(app/reports/capture.py), as the engine's frames leave out the same rows (publication.only_published).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, or_

from app.evidence.models import Claim, Critique, Result
from app.evidence.publication import PUBLISHED


def _published(claim_id) -> ColumnElement[bool]:
    """The claim with this id (a column of the row at hand) is published; a correlated EXISTS, checked row
    by row along a list's order, so a page stops after its last row (as in filters._exists)."""
    return exists().where(Claim.id == claim_id, Claim.status.in_(PUBLISHED)).correlate_except(Claim)


def visible(model: type, published: bool) -> list[ColumnElement[bool]]:
    """The conditions on rows of `model` a reader of published claims only may see (none otherwise)."""
    if not published:
        return []
    if model is Claim:
        return [Claim.status.in_(PUBLISHED)]
    if model is Result:
        return [_published(Result.claim_id)]
    if model is Critique:
        return [
            _published(Critique.target_claim_id),
            or_(Critique.critic_claim_id.is_(None), _published(Critique.critic_claim_id)),
        ]
    return []
