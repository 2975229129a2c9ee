"""Who sees unpublished claims: the one rule every read of the evidence follows.

With CEILING_PUBLISH_REVIEWED_ONLY on, a reader who is not an analyst (anonymous, or a viewer) sees only
published claims (reviewed or retracted, app/evidence/publication.py), the results of those claims and
the critiques whose target and critic claim are both published. Lists, counts, facets, searches and
exports leave the rest out; reading one of them by id is "not found", as if it did not exist.

The request's session carries its reader's view. app/db/session.get_session restricts every request's session
when the setting is on; the two places that learn who is calling (the pages' load_user, the API's caller)
open it for analysts and above. So a route that names no reader shows published claims only, and the
services ask this module rather than being told: listing.py (lists, exports), filters.py (what a filter
means), stats.py (counts and facets), read.py (detail views) and common.get_or_404 (reads by id).
Sessions opened elsewhere (the CLI, the scheduler, report builds) see everything: the reports and the
public assessment leave unpublished claims out by the setting itself (the engine's frames through
publication.only_published, the report's evidence through visible() in app/reports/capture.py).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, or_, select
from sqlmodel import Session

from app.db.session import PUBLISHED_ONLY
from app.evidence.models import Claim, Critique, Result
from app.evidence.publication import PUBLISHED


def restrict(session: Session, published_only: bool) -> None:
    """Set what the session's reader sees: published claims only, or every claim."""
    session.info[PUBLISHED_ONLY] = published_only


def published_only(session: Session) -> bool:
    """Whether the session's reader sees published claims only (False unless restricted)."""
    return bool(session.info.get(PUBLISHED_ONLY, False))


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


def conditions(session: Session, model: type) -> list[ColumnElement[bool]]:
    """visible() for the session's reader."""
    return visible(model, published_only(session))


def hidden(session: Session, row) -> bool:
    """Whether the session's reader may not see this row (it is then answered as not found)."""
    where = conditions(session, type(row))
    if not where:
        return False
    model = type(row)
    return session.scalar(select(model.id).where(model.id == row.id, *where)) is None
