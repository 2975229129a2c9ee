"""What the published report and the public assessment weigh: with CEILING_PUBLISH_REVIEWED_ONLY, only
reviewed claims (and retracted ones, which weigh nothing but are named). Drafts, claims in review and
rejected claims are left out and counted, so the report can say how many.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, select

from app.evidence.enums import ClaimStatus
from app.evidence.models import Claim, Source

PUBLISHED = frozenset({ClaimStatus.reviewed.value, ClaimStatus.retracted.value})


def left_out(session: Session) -> dict[str, int]:
    """Live claims a reviewed-only report leaves out, by status (draft, in_review, rejected)."""
    query = (
        select(Claim.status, func.count())
        .join(Source, Source.id == Claim.source_id)
        .where(Claim.deleted_at.is_(None), Source.deleted_at.is_(None), Claim.status.not_in(PUBLISHED))
        .group_by(Claim.status)
    )
    return {status: count for status, count in session.exec(query)}


def only_published(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The engine's frames without the claims a reviewed-only report leaves out, nor what hangs on them.

    Frames are left in their order and index: Evidence sorts and re-indexes every frame itself."""
    claims = frames["claims"]
    published = claims["status"].isin(list(PUBLISHED))
    if published.all():
        return frames
    kept = claims.loc[published, "key"].to_numpy()
    out = dict(frames)
    out["claims"] = claims[published]
    for name in ("claim_aspects", "claim_questions", "results"):
        out[name] = frames[name][frames[name]["claim_key"].isin(kept)]
    critiques = frames["critiques"]
    critic = critiques["critic_claim_key"]
    out["critiques"] = critiques[critiques["target_claim_key"].isin(kept) & (critic.isna() | critic.isin(kept))]
    return out
