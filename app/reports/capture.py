"""The evidence a report shows besides the Assessment, captured so that a snapshot renders on its own.

Claims per research question with their citations and the critiques against them, the results
behind the plots, and the bibliography: plain, key-sorted dicts stored as the snapshot's
evidence_json, so later edits to the store never change an old report.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
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


def _cut(text: str | None, limit: int = MAX_TEXT_CHARS) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[:limit] + "…"


def _links(session: Session, model, column) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for claim_id, key in session.execute(select(model.claim_id, column)):
        out.setdefault(claim_id, []).append(key)
    return {claim_id: sorted(keys) for claim_id, keys in out.items()}


def _sources(session: Session) -> tuple[dict[int, str], list[dict[str, Any]]]:
    rows = session.execute(select(Source).where(Source.deleted_at.is_(None)).order_by(Source.key)).scalars()
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
    session: Session, source_keys: dict[int, str], reviewed_only: bool
) -> tuple[dict[int, str], list[dict[str, Any]]]:
    aspects = _links(session, ClaimAspect, ClaimAspect.aspect_key)
    questions = _links(session, ClaimQuestion, ClaimQuestion.question_key)
    query = select(Claim).where(Claim.deleted_at.is_(None), *visible(Claim, reviewed_only)).order_by(Claim.key)
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
    live = [Critique.deleted_at.is_(None), *visible(Critique, reviewed_only)]
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


def capture_evidence(
    session: Session, citation_style: str = DEFAULT_STYLE, reviewed_only: bool = False, agreement: bool = True
) -> dict[str, Any]:
    """Everything a report renders beyond the Assessment, in a stable order: the bibliography's CSL style, and
    reviewed_only as the assessment. agreement=False leaves out the agreement statistics (an as-of report:
    extractions are not in the revision history, so their past cannot be rebuilt)."""
    source_keys, sources = _sources(session)
    claim_keys, claims = _claims(session, source_keys, reviewed_only)
    questions = session.execute(select(ResearchQuestion).order_by(ResearchQuestion.number)).scalars()
    aspects = session.execute(select(Aspect).order_by(Aspect.sort_order, Aspect.key)).scalars()
    methods = session.execute(select(Method).order_by(Method.key)).scalars()
    return {
        "questions": [{"key": q.key, "number": q.number, "title": q.title, "text": q.text} for q in questions],
        "aspects": [{"key": a.key, "name": a.name} for a in aspects],
        "methods": [{"key": m.key, "name": m.name, "family": m.family} for m in methods],
        "sources": sources,
        "claims": claims,
        "results": _results(session, claim_keys),
        "critiques": _critiques(session, claim_keys, source_keys, reviewed_only),
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
