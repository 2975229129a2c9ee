"""/api/v1/sources: citable works, each read with the claims it makes."""

from __future__ import annotations

from sqlmodel import Session

from app.api.crud import Entity, entity_router
from app.evidence.models import Source
from app.evidence.schemas.sources import SourceDetail, SourceIn, SourcePatch, SourcePublic, SourcesPublic
from app.evidence.services import listing, read, sources


def state(session: Session, row: Source) -> dict:
    """The stored source in the shape of SourceIn."""
    return {name: getattr(row, name) for name in SourceIn.model_fields}


SOURCES = Entity(
    kind="source",
    plural="sources",
    model=Source,
    service=sources,
    public=SourcePublic,
    detail=SourceDetail,
    page=SourcesPublic,
    filters=listing.SourceFilters,
    list_fn=listing.list_sources,
    create_in=SourceIn,
    update_in=SourceIn,
    patch_in=SourcePatch,
    state=state,
    read=lambda session, row, deleted: read.source_detail(session, row, include_deleted=deleted),
    create=sources.create,
    update=lambda session, row, data, actor, expected, _fields: sources.update(session, row, data, actor, expected),
)
router = entity_router(SOURCES)
