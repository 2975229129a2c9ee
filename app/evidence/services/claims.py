"""Claims: statements that a source makes, with their aspects, research questions and results."""

from __future__ import annotations

from sqlmodel import Session, select

from app.evidence.errors import Conflict, NotFound, StaleVersion
from app.evidence.history import Actor, create_tracked, set_deleted, update_tracked
from app.evidence.models import Aspect, Claim, ClaimAspect, ClaimQuestion, Method, ResearchQuestion, Result, Source
from app.evidence.schemas.claims import ClaimIn
from app.evidence.services import results as result_service
from app.evidence.services.common import by_key, check_restore, key_to_id


def columns(session: Session, data: ClaimIn) -> dict:
    values = data.model_dump(mode="python", exclude={"source", "aspects", "questions", "method", "results"})
    for name in ("stance", "kind"):
        values[name] = getattr(data, name).value
    if data.status is None:
        del values["status"]  # unchanged; a new claim takes the table's default, draft
    else:
        values["status"] = data.status.value
    values["source_id"] = key_to_id(session, Source, data.source, "source")
    if data.method is not None and session.get(Method, data.method) is None:
        raise NotFound(f"no method {data.method!r}", field="method")
    values["method_key"] = data.method
    return values


def _check_vocabulary(session: Session, data: ClaimIn) -> None:
    for index, key in enumerate(data.aspects):
        if session.get(Aspect, key) is None:
            raise NotFound(f"no aspect {key!r}", field=f"aspects.{index}")
    for index, key in enumerate(data.questions):
        if session.get(ResearchQuestion, key) is None:
            raise NotFound(f"no research question {key!r}", field=f"questions.{index}")


def input_values(session: Session, claim: Claim) -> dict:
    """The stored claim in the shape of ClaimIn, without its results (the base of a partial update)."""
    values = {name: getattr(claim, name) for name in ("key", "text", "quote", "locator", "stance", "kind", "status")}
    values.update(
        source=session.get(Source, claim.source_id).key,
        aspects=aspect_keys(session, claim.id),
        questions=question_keys(session, claim.id),
        method=claim.method_key,
        confidence=claim.confidence,
        notes=claim.notes,
    )
    return values


def aspect_keys(session: Session, claim_id: int) -> list[str]:
    return sorted(session.exec(select(ClaimAspect.aspect_key).where(ClaimAspect.claim_id == claim_id)))


def question_keys(session: Session, claim_id: int) -> list[str]:
    return sorted(session.exec(select(ClaimQuestion.question_key).where(ClaimQuestion.claim_id == claim_id)))


def _link_changes(session: Session, claim_id: int | None, data: ClaimIn) -> dict:
    """Aspects and questions that would change: name -> [before, after]."""
    changes = {}
    for name, current, wanted in (
        ("aspects", aspect_keys(session, claim_id) if claim_id else [], sorted(set(data.aspects))),
        ("questions", question_keys(session, claim_id) if claim_id else [], sorted(set(data.questions))),
    ):
        if current != wanted:
            changes[name] = [current, wanted]
    return changes


def _apply_links(session: Session, claim: Claim, changes: dict) -> None:
    for name, link_model, column in (
        ("aspects", ClaimAspect, "aspect_key"),
        ("questions", ClaimQuestion, "question_key"),
    ):
        if name not in changes:
            continue
        current, wanted = changes[name]
        for key in set(current) - set(wanted):
            session.delete(session.get(link_model, (claim.id, key)))
        for key in set(wanted) - set(current):
            session.add(link_model(claim_id=claim.id, **{column: key}))
    session.flush()


def _sync_results(session: Session, claim: Claim, data: ClaimIn, actor: Actor) -> dict:
    """Results listed are created or updated by key; live results no longer listed are soft-deleted.

    Returns the keys touched ({"results": {"created": [...], ...}}), empty when nothing changed."""
    existing = {r.key: r for r in session.exec(select(Result).where(Result.claim_id == claim.id))}
    touched: dict[str, list[str]] = {"created": [], "updated": [], "deleted": []}
    for index, result_in in enumerate(data.results):
        prefix = f"results.{index}."
        row = existing.get(result_in.key)
        if row is None:
            result_service.create(session, result_in, claim.id, actor, field_prefix=prefix)
            touched["created"].append(result_in.key)
            continue
        restored = row.deleted_at is not None
        if restored:
            result_service.restore(session, row, actor)
        if result_service.update(session, row, result_in, actor, field_prefix=prefix) or restored:
            touched["updated"].append(result_in.key)
    listed = {r.key for r in data.results}
    for key, row in existing.items():
        if key not in listed and row.deleted_at is None:
            result_service.delete(session, row, actor)
            touched["deleted"].append(key)
    touched = {name: keys for name, keys in touched.items() if keys}
    return {"results": touched} if touched else {}


def create(session: Session, data: ClaimIn, actor: Actor) -> Claim:
    if by_key(session, Claim, data.key) is not None:
        raise Conflict(f"claim key {data.key!r} is taken", field="key")
    _check_vocabulary(session, data)
    claim = create_tracked(session, "claim", Claim(**columns(session, data)), actor)
    _apply_links(session, claim, _link_changes(session, None, data))
    _sync_results(session, claim, data, actor)
    return claim


def update(
    session: Session,
    claim: Claim,
    data: ClaimIn,
    actor: Actor,
    expected_version: int | None = None,
    with_results: bool = True,
) -> dict:
    """Update a claim, its links and (by default) its results, synchronised by key.

    A change to the results alone still moves the claim to its next version, so an editor holding
    the old version of the claim cannot overwrite them unseen."""
    if expected_version is not None and expected_version != claim.version:
        raise StaleVersion(f"claim {claim.key} is at version {claim.version}, not {expected_version}", claim.version)
    _check_vocabulary(session, data)
    values = columns(session, data)
    links = _link_changes(session, claim.id, data)
    result_changes = _sync_results(session, claim, data, actor) if with_results else {}
    changes = update_tracked(
        session,
        "claim",
        claim,
        values,
        actor,
        expected_version=expected_version,
        extra_changes={**links, **result_changes},
    )
    _apply_links(session, claim, links)
    return changes


def upsert(session: Session, data: ClaimIn, actor: Actor) -> str:
    existing = by_key(session, Claim, data.key)
    if existing is None:
        create(session, data, actor)
        return "created"
    return "updated" if update(session, existing, data, actor) else "unchanged"


def delete(session: Session, claim: Claim, actor: Actor, expected_version: int | None = None) -> None:
    set_deleted(session, "claim", claim, True, actor, expected_version=expected_version)


def restore(session: Session, claim: Claim, actor: Actor) -> None:
    """Undo a soft delete (an admin only: common.check_restore)."""
    check_restore(actor, "claim", claim.key)
    set_deleted(session, "claim", claim, False, actor)
