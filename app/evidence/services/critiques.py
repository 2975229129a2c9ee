"""Critiques: challenges to (or support of) a claim."""

from __future__ import annotations

from sqlmodel import Session

from app.evidence.errors import Conflict
from app.evidence.history import Actor, create_tracked, set_deleted, update_tracked
from app.evidence.models import Claim, Critique, Source
from app.evidence.schemas.critiques import CritiqueIn
from app.evidence.services.common import by_key, check_restore, key_to_id


def columns(session: Session, data: CritiqueIn) -> dict:
    return {
        "key": data.key,
        "target_claim_id": key_to_id(session, Claim, data.target, "target"),
        "critic_source_id": key_to_id(session, Source, data.critic_source, "critic_source")
        if data.critic_source
        else None,
        "critic_claim_id": key_to_id(session, Claim, data.critic_claim, "critic_claim") if data.critic_claim else None,
        "kind": data.kind.value,
        "text": data.text,
        "severity": data.severity,
        "status": data.status.value,
    }


def create(session: Session, data: CritiqueIn, actor: Actor) -> Critique:
    if by_key(session, Critique, data.key) is not None:
        raise Conflict(f"critique key {data.key!r} is taken", field="key")
    return create_tracked(session, "critique", Critique(**columns(session, data)), actor)


def update(
    session: Session, critique: Critique, data: CritiqueIn, actor: Actor, expected_version: int | None = None
) -> dict:
    return update_tracked(
        session, "critique", critique, columns(session, data), actor, expected_version=expected_version
    )


def upsert(session: Session, data: CritiqueIn, actor: Actor) -> str:
    existing = by_key(session, Critique, data.key)
    if existing is None:
        create(session, data, actor)
        return "created"
    return "updated" if update(session, existing, data, actor) else "unchanged"


def delete(session: Session, critique: Critique, actor: Actor, expected_version: int | None = None) -> None:
    set_deleted(session, "critique", critique, True, actor, expected_version=expected_version)


def restore(session: Session, critique: Critique, actor: Actor) -> None:
    """Undo a soft delete (an admin only: common.check_restore)."""
    check_restore(actor, "critique", critique.key)
    set_deleted(session, "critique", critique, False, actor)
