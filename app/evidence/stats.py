"""Counts of the evidence, for the home page and dashboards."""

from __future__ import annotations

from sqlmodel import Session, func, select

from app.evidence.models import Aspect, Claim, ClaimAspect, Critique, Result, Source


def counts_by_aspect(session: Session) -> list[dict]:
    """Per aspect: live claims, results and critiques bearing on it, and the sources behind them."""
    rows = []
    for aspect in session.exec(select(Aspect).order_by(Aspect.sort_order, Aspect.key)):
        live_claims = (
            select(Claim.id)
            .join(ClaimAspect, ClaimAspect.claim_id == Claim.id)
            .where(ClaimAspect.aspect_key == aspect.key, Claim.deleted_at.is_(None))
        )
        claim_ids = live_claims.scalar_subquery()
        rows.append(
            {
                "key": aspect.key,
                "name": aspect.name,
                "sources": session.exec(
                    select(func.count(func.distinct(Claim.source_id))).where(Claim.id.in_(claim_ids))
                ).one(),
                "claims": session.exec(select(func.count()).where(Claim.id.in_(claim_ids))).one(),
                "results": session.exec(
                    select(func.count()).where(Result.claim_id.in_(claim_ids), Result.deleted_at.is_(None))
                ).one(),
                "critiques": session.exec(
                    select(func.count()).where(Critique.target_claim_id.in_(claim_ids), Critique.deleted_at.is_(None))
                ).one(),
            }
        )
    return rows


def totals(session: Session) -> dict[str, int]:
    return {
        name: session.exec(select(func.count()).select_from(model).where(model.deleted_at.is_(None))).one()
        for name, model in (("sources", Source), ("claims", Claim), ("results", Result), ("critiques", Critique))
    }
