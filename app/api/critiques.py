"""/api/v1/critiques: challenges to (or support of) claims, by a source, another claim or both."""

from __future__ import annotations

from sqlmodel import Session

from app.api.crud import Entity, entity_router
from app.evidence.models import Critique
from app.evidence.schemas.critiques import CritiqueIn, CritiquePatch, CritiquePublic, CritiquesPublic
from app.evidence.services import critiques, listing, read


def state(session: Session, row: Critique) -> dict:
    """The stored critique in the shape of CritiqueIn."""
    (view,) = read.critique_views(session, [row])
    return view.model_dump(include=set(CritiqueIn.model_fields))


def read_one(session: Session, row: Critique, _deleted: bool) -> CritiquePublic:
    return read.critique_views(session, [row])[0]


CRITIQUES = Entity(
    kind="critique",
    plural="critiques",
    model=Critique,
    service=critiques,
    public=CritiquePublic,
    detail=CritiquePublic,
    page=CritiquesPublic,
    filters=listing.CritiqueFilters,
    list_fn=listing.list_critiques,
    create_in=CritiqueIn,
    update_in=CritiqueIn,
    patch_in=CritiquePatch,
    state=state,
    read=read_one,
    create=critiques.create,
    update=lambda session, row, data, actor, expected, _fields: critiques.update(session, row, data, actor, expected),
)
router = entity_router(CRITIQUES)
