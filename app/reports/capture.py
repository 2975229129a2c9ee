"""The evidence a report shows besides the Assessment, captured so that a snapshot renders on its own.

Claims per research question with their citations and the critiques against them, the results
behind the plots, and the bibliography: plain, key-sorted dicts stored as the snapshot's
evidence_json, so later edits to the store never change an old report.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import case, func, select
from sqlmodel import Session

from app.evidence.agreement import agreement_rows
from app.evidence.models import (
    Aspect,
    Claim,
    ClaimAspect,
    ClaimQuestion,
    Critique,
    Method,
    ResearchQuestion,
    Result,
    Source,
)
from app.evidence.services.visibility import visible
from app.reports.bibliography import DEFAULT_STYLE
from app.reports.reference import load_reference

# Long texts are cut when captured: a report shows excerpts, the store keeps the whole text.
MAX_TEXT_CHARS = 4000
# Up to this many sources, claims and results a report captures every row. Past it (a store of a million
# results) it captures the claims it shows, CLAIMS_PER_QUESTION per research question in the report's order,
# with their sources and critiques, and counts the rest: the plots take the engine's points, not the results.
MAX_CAPTURED_ROWS = 5000
CLAIMS_PER_QUESTION = 10  # each cited source costs about 0.05 s of CSL formatting (citeproc-py)
STANCE_RANK = {"undermines": 0, "mixed": 1, "neutral": 2, "supports": 3}  # as the report lists them


def _cut(text: str | None, limit: int = MAX_TEXT_CHARS) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[:limit] + "…"


def _links(session: Session, model, column, only: set[int] | None = None) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    query = select(model.claim_id, column)
    for claim_id, key in session.execute(query if only is None else query.where(model.claim_id.in_(only))):
        out.setdefault(claim_id, []).append(key)
    return {claim_id: sorted(keys) for claim_id, keys in out.items()}


def _sources(session: Session, only: set[int] | None = None) -> tuple[dict[int, str], list[dict[str, Any]]]:
    query = select(Source).where(Source.deleted_at.is_(None)).order_by(Source.key)
    rows = session.execute(query if only is None else query.where(Source.id.in_(only))).scalars()
    keys, out = {}, []
    for s in rows:
        keys[s.id] = s.key
        out.append(
            {
                "key": s.key,
                "kind": s.kind,
                "title": s.title,
                "authors": list(s.authors or []),
                "year": s.year,
                "venue": s.venue,
                "organization": s.organization,
                "url": s.url,
                "doi": s.doi,
                "arxiv_id": s.arxiv_id,
                "peer_reviewed": bool(s.peer_reviewed),
                "verification": s.verification,
            }
        )
    return keys, out


def _claims(
    session: Session, source_keys: dict[int, str], reviewed_only: bool, only: set[int] | None = None
) -> tuple[dict[int, str], list[dict[str, Any]]]:
    aspects = _links(session, ClaimAspect, ClaimAspect.aspect_key, only)
    questions = _links(session, ClaimQuestion, ClaimQuestion.question_key, only)
    query = select(Claim).where(Claim.deleted_at.is_(None), *visible(Claim, reviewed_only)).order_by(Claim.key)
    if only is not None:
        query = query.where(Claim.id.in_(only))
    rows = session.execute(query).scalars()
    keys, out = {}, []
    for c in rows:
        if c.source_id not in source_keys:
            continue
        keys[c.id] = c.key
        out.append(
            {
                "key": c.key,
                "source_key": source_keys[c.source_id],
                "text": _cut(c.text),
                "quote": _cut(c.quote),
                "locator": c.locator,
                "method": c.method_key,
                "stance": c.stance,
                "kind": c.kind,
                "status": c.status,
                "confidence": c.confidence,
                "aspects": aspects.get(c.id, []),
                "questions": questions.get(c.id, []),
            }
        )
    return keys, out


def _results(session: Session, claim_keys: dict[int, str]) -> list[dict[str, Any]]:
    rows = session.execute(select(Result).where(Result.deleted_at.is_(None)).order_by(Result.key)).scalars()
    return [
        {
            "key": r.key,
            "claim_key": claim_keys[r.claim_id],
            "model_name": r.model_name,
            "params": r.params,
            "params_low": r.params_low,
            "params_high": r.params_high,
            "method": r.method_key,
            "outcome": r.outcome,
        }
        for r in rows
        if r.claim_id in claim_keys
    ]


def _critiques(
    session: Session, claim_keys: dict[int, str], source_keys: dict[int, str], reviewed_only: bool
) -> list[dict[str, Any]]:
    """The critiques of the claims captured; reviewed only, not those an unpublished claim makes either."""
    live = [Critique.deleted_at.is_(None), Critique.target_claim_id.in_(claim_keys), *visible(Critique, reviewed_only)]
    rows = session.execute(select(Critique).where(*live).order_by(Critique.key)).scalars()
    out = []
    for k in rows:
        if k.target_claim_id not in claim_keys:
            continue
        out.append(
            {
                "key": k.key,
                "target_claim_key": claim_keys[k.target_claim_id],
                "critic_source_key": source_keys.get(k.critic_source_id),
                "critic_claim_key": claim_keys.get(k.critic_claim_id),
                "kind": k.kind,
                "text": _cut(k.text),
                "severity": k.severity,
                "status": k.status,
            }
        )
    return out


def _live_claims(reviewed_only: bool) -> list:
    """Conditions of the claims a report weighs: live, of a live source, published if asked."""
    live_source = select(Source.id).where(Source.deleted_at.is_(None))
    return [Claim.deleted_at.is_(None), Claim.source_id.in_(live_source), *visible(Claim, reviewed_only)]


def _counts(session: Session, reviewed_only: bool) -> dict[str, int]:
    """How many sources, claims (retracted ones too), results and critiques the report weighs: aggregates."""
    claims = _live_claims(reviewed_only)
    claim_ids = select(Claim.id).where(*claims)
    by_status = dict(session.execute(select(Claim.status, func.count()).where(*claims).group_by(Claim.status)).all())
    live_critiques = [Critique.deleted_at.is_(None), *visible(Critique, reviewed_only)]
    return {
        "sources": session.scalar(select(func.count()).select_from(Source).where(Source.deleted_at.is_(None))),
        "claims": sum(by_status.values()),
        "retracted": by_status.get("retracted", 0),
        "results": session.scalar(
            select(func.count()).where(Result.deleted_at.is_(None), Result.claim_id.in_(claim_ids))
        ),
        "critiques": session.scalar(
            select(func.count()).where(*live_critiques, Critique.target_claim_id.in_(claim_ids))
        ),
    }


def _shown_claims(session: Session, reviewed_only: bool) -> set[int]:
    """The ids of the claims a report shows under each research question, in its order, CLAIMS_PER_QUESTION each."""
    stance = case(STANCE_RANK, value=Claim.stance, else_=9)
    rank = (
        func.row_number()
        .over(partition_by=ClaimQuestion.question_key, order_by=(stance, Claim.confidence.desc(), Claim.key))
        .label("rank")
    )
    ranked = (
        select(Claim.id.label("id"), rank)
        .join(ClaimQuestion, ClaimQuestion.claim_id == Claim.id)
        .where(*_live_claims(reviewed_only))
        .subquery()
    )
    return set(session.scalars(select(ranked.c.id).where(ranked.c.rank <= CLAIMS_PER_QUESTION)))


def _sources_of(session: Session, claim_ids: set[int]) -> set[int]:
    """The sources of these claims and of the critiques against them: every source the report cites."""
    made = select(Claim.source_id).where(Claim.id.in_(claim_ids))
    critics = select(Critique.critic_source_id).where(
        Critique.target_claim_id.in_(claim_ids), Critique.critic_source_id.is_not(None)
    )
    return set(session.scalars(made)) | set(session.scalars(critics))


def _question_totals(session: Session, reviewed_only: bool) -> dict[str, int]:
    """How many claims each research question has (the report shows CLAIMS_PER_QUESTION of them)."""
    query = (
        select(ClaimQuestion.question_key, func.count())
        .join(Claim, Claim.id == ClaimQuestion.claim_id)
        .where(*_live_claims(reviewed_only))
        .group_by(ClaimQuestion.question_key)
    )
    return dict(session.execute(query).all())


def capture_evidence(
    session: Session, citation_style: str = DEFAULT_STYLE, reviewed_only: bool = False, agreement: bool = True
) -> dict[str, Any]:
    """Everything a report renders beyond the Assessment, in a stable order: the bibliography's CSL style, and
    reviewed_only as the assessment. agreement=False leaves out the agreement statistics (an as-of report:
    extractions are not in the revision history, so their past cannot be rebuilt)."""
    counts = _counts(session, reviewed_only)
    if max(counts["sources"], counts["claims"], counts["results"]) <= MAX_CAPTURED_ROWS:
        source_keys, sources = _sources(session)
        claim_keys, claims = _claims(session, source_keys, reviewed_only)
        results, bounded = _results(session, claim_keys), {}
    else:
        shown = _shown_claims(session, reviewed_only)
        source_keys, sources = _sources(session, _sources_of(session, shown))
        claim_keys, claims = _claims(session, source_keys, reviewed_only, shown)
        results, bounded = [], {"totals": counts, "question_totals": _question_totals(session, reviewed_only)}
    questions = session.execute(select(ResearchQuestion).order_by(ResearchQuestion.number)).scalars()
    aspects = session.execute(select(Aspect).order_by(Aspect.sort_order, Aspect.key)).scalars()
    methods = session.execute(select(Method).order_by(Method.key)).scalars()
    return {
        "questions": [{"key": q.key, "number": q.number, "title": q.title, "text": q.text} for q in questions],
        "aspects": [{"key": a.key, "name": a.name} for a in aspects],
        "methods": [{"key": m.key, "name": m.name, "family": m.family} for m in methods],
        "sources": sources,
        "claims": claims,
        "results": results,
        "critiques": _critiques(session, claim_keys, source_keys, reviewed_only),
        **bounded,
        "reference": load_reference(),
        "citation_style": citation_style,
        "publication": {"reviewed_only": reviewed_only},  # no counts of drafts: readers learn nothing of them
        "agreement": agreement_rows(session) if agreement else [],
    }


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no insignificant whitespace: equal values give equal bytes."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def report_fingerprint(assessment_fingerprint: str, evidence: dict[str, Any], format_version: str) -> str:
    """The snapshot's fingerprint: the engine's input fingerprint, the captured evidence and the report format."""
    digest = hashlib.sha256()
    for part in (assessment_fingerprint, canonical_json(evidence), format_version):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()
