"""Sources: citable works."""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, func, select

from app.evidence.errors import Conflict
from app.evidence.history import Actor, create_tracked, set_deleted, update_tracked
from app.evidence.models import Claim, Source
from app.evidence.schemas.common import normalize_title
from app.evidence.schemas.sources import SourceIn
from app.evidence.services.common import by_key, check_restore


def columns(data: SourceIn) -> dict:
    values = data.model_dump(mode="python")
    values["kind"] = data.kind.value
    values["verification"] = data.verification.value
    values["title_normalized"] = normalize_title(data.title)
    return values


def find_duplicates(session: Session, data: SourceIn, exclude_id: int | None = None) -> list[Source]:
    """Existing sources with the same DOI, arXiv id or normalized title (deleted ones included)."""
    tests = [Source.title_normalized == normalize_title(data.title)]
    if data.doi:
        tests.append(Source.doi == data.doi)
    if data.arxiv_id:
        tests.append(Source.arxiv_id == data.arxiv_id)
    query = select(Source).where(or_(*tests))
    if exclude_id is not None:
        query = query.where(Source.id != exclude_id)
    return list(session.exec(query.order_by(Source.id)))


def _refuse_identifier_clash(session: Session, data: SourceIn, exclude_id: int | None) -> None:
    for field in ("key", "doi", "arxiv_id"):
        value = getattr(data, field)
        if not value:
            continue
        clash = session.exec(select(Source).where(getattr(Source, field) == value)).first()
        if clash is not None and clash.id != exclude_id:
            raise Conflict(f"{field} {value!r} already belongs to source {clash.key}", field=field)


def create(session: Session, data: SourceIn, actor: Actor) -> Source:
    _refuse_identifier_clash(session, data, None)
    return create_checked(session, data, actor)


def create_checked(session: Session, data: SourceIn, actor: Actor) -> Source:
    """Create a source whose key, DOI and arXiv id the caller has checked are free (an import, in bulk)."""
    return create_tracked(session, "source", Source(**columns(data)), actor)


def update(session: Session, source: Source, data: SourceIn, actor: Actor, expected_version: int | None = None) -> dict:
    _refuse_identifier_clash(session, data, source.id)
    return update_tracked(session, "source", source, columns(data), actor, expected_version=expected_version)


def upsert(session: Session, data: SourceIn, actor: Actor) -> str:
    existing = by_key(session, Source, data.key)
    if existing is None:
        create(session, data, actor)
        return "created"
    return "updated" if update(session, existing, data, actor) else "unchanged"


def delete(session: Session, source: Source, actor: Actor, expected_version: int | None = None) -> None:
    """Soft delete; refused while the source still has claims that are not deleted."""
    live_claims = session.exec(
        select(func.count()).select_from(Claim).where(Claim.source_id == source.id, Claim.deleted_at.is_(None))
    ).one()
    if live_claims:
        raise Conflict(f"source {source.key} still has {live_claims} claim(s); delete or move them first")
    set_deleted(session, "source", source, True, actor, expected_version=expected_version)


def restore(session: Session, source: Source, actor: Actor) -> None:
    """Undo a soft delete (an admin only: common.check_restore)."""
    check_restore(actor, "source", source.key)
    set_deleted(session, "source", source, False, actor)
