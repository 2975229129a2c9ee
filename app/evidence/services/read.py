"""Reading evidence rows into their read models (XPublic, XDetail of app/evidence/schemas/), as the API returns
them and the pages render them.

References are given by key (as in the input schemas, so a read can be edited and written back)
and by id. Builders load the related keys of a whole page in a few queries, never one per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import true
from sqlmodel import Session, select

from app.evidence.models import Claim, ClaimAspect, ClaimQuestion, Critique, Result, ResultBand, Source
from app.evidence.schemas.claims import ClaimDetail, ClaimPublic
from app.evidence.schemas.common import RevisionPublic
from app.evidence.schemas.critiques import CritiquePublic
from app.evidence.schemas.results import ResultPublic
from app.evidence.schemas.sources import SourceDetail, SourcePublic
from app.evidence.services import visibility


def _grouped(pairs: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = defaultdict(list)
    for owner, key in pairs:
        grouped[owner].append(key)
    return {owner: sorted(keys) for owner, keys in grouped.items()}


def _keys(session: Session, model, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.exec(select(model.id, model.key).where(model.id.in_(wanted))).all())


def source_views(sources: Sequence[Source]) -> list[SourcePublic]:
    return [SourcePublic.model_validate(source.model_dump()) for source in sources]


def claim_views(session: Session, claims: Sequence[Claim]) -> list[ClaimPublic]:
    ids = [c.id for c in claims]
    if not ids:
        return []
    aspects = _grouped(
        session.exec(select(ClaimAspect.claim_id, ClaimAspect.aspect_key).where(ClaimAspect.claim_id.in_(ids)))
    )
    questions = _grouped(
        session.exec(select(ClaimQuestion.claim_id, ClaimQuestion.question_key).where(ClaimQuestion.claim_id.in_(ids)))
    )
    source_ids = {c.source_id for c in claims}
    sources = {
        row[0]: row[1:]
        for row in session.exec(select(Source.id, Source.key, Source.title).where(Source.id.in_(source_ids)))
    }
    return [
        ClaimPublic.model_validate(
            {
                **claim.model_dump(exclude={"method_key"}),
                "method": claim.method_key,
                "source": sources[claim.source_id][0],
                "source_title": sources[claim.source_id][1],
                "aspects": aspects.get(claim.id, []),
                "questions": questions.get(claim.id, []),
            }
        )
        for claim in claims
    ]


def result_views(session: Session, results: Sequence[Result]) -> list[ResultPublic]:
    ids = [r.id for r in results]
    if not ids:
        return []
    bands = _grouped(
        session.exec(select(ResultBand.result_id, ResultBand.band_key).where(ResultBand.result_id.in_(ids)))
    )
    claims = _keys(session, Claim, (r.claim_id for r in results))
    return [
        ResultPublic.model_validate(
            {
                **result.model_dump(exclude={"method_key", "baseline_method_key"}),
                "baseline_method": result.baseline_method_key,
                "method": result.method_key,
                "claim": claims[result.claim_id],
                "bands": bands.get(result.id, []),
            }
        )
        for result in results
    ]


def critique_views(session: Session, critiques: Sequence[Critique]) -> list[CritiquePublic]:
    if not critiques:
        return []
    claims = _keys(session, Claim, [c.target_claim_id for c in critiques] + [c.critic_claim_id for c in critiques])
    sources = _keys(session, Source, (c.critic_source_id for c in critiques))
    return [
        CritiquePublic.model_validate(
            {
                **critique.model_dump(),
                "target": claims[critique.target_claim_id],
                "critic_claim": claims.get(critique.critic_claim_id),
                "critic_source": sources.get(critique.critic_source_id),
            }
        )
        for critique in critiques
    ]


def _live(model, include_deleted: bool):
    return true() if include_deleted else model.deleted_at.is_(None)


def _critiques(session: Session, *where, include_deleted: bool = False) -> Sequence[Critique]:
    """Critiques meeting the conditions that the session's reader may see (deleted ones only when asked)."""
    seen = visibility.conditions(session, Critique)
    return session.exec(
        select(Critique).where(*where, _live(Critique, include_deleted), *seen).order_by(Critique.id)
    ).all()


def claim_detail(session: Session, claim: Claim, *, include_deleted: bool = False) -> ClaimDetail:
    """A claim with its results and the critiques that target it (deleted ones only when asked; those by
    a claim the session's reader may not see are left out)."""
    results = session.exec(
        select(Result).where(Result.claim_id == claim.id, _live(Result, include_deleted)).order_by(Result.id)
    ).all()
    critiques = _critiques(session, Critique.target_claim_id == claim.id, include_deleted=include_deleted)
    (view,) = claim_views(session, [claim])
    return ClaimDetail.model_validate(
        {
            **view.model_dump(),
            "results": result_views(session, results),
            "critiques": critique_views(session, critiques),
        }
    )


def critiques_made_by(session: Session, claim: Claim) -> list[CritiquePublic]:
    """The live critiques a claim makes (those of a claim the session's reader may not see left out)."""
    return critique_views(session, _critiques(session, Critique.critic_claim_id == claim.id))


def source_detail(session: Session, source: Source, *, include_deleted: bool = False) -> SourceDetail:
    """A source with the claims it makes that the session's reader may see (deleted ones only when asked)."""
    seen = visibility.conditions(session, Claim)
    claims = session.exec(
        select(Claim).where(Claim.source_id == source.id, _live(Claim, include_deleted), *seen).order_by(Claim.id)
    ).all()
    (view,) = source_views([source])
    return SourceDetail.model_validate({**view.model_dump(), "claims": claim_views(session, claims)})


def revision_views(revisions: Sequence) -> list[RevisionPublic]:
    return [RevisionPublic.model_validate(revision.model_dump()) for revision in revisions]
