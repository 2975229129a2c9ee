"""Evidence weight of every claim: tier x status x confidence x critique discount x recency."""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.scoring.groups import products_by
from app.scoring.inputs import Evidence
from app.scoring.overlap import already_counted
from app.scoring.settings import ScoringSettings


def source_tiers(sources: pd.DataFrame, settings: ScoringSettings) -> pd.Series:
    """Tier of each source (by source key), from its kind and peer review."""
    tiers = [
        settings.tier(kind, reviewed is True)
        for kind, reviewed in zip(sources["kind"], sources["peer_reviewed"], strict=True)
    ]
    return pd.Series(tiers, index=sources["key"].to_numpy(), dtype=float)


def recency_factors(sources: pd.DataFrame, settings: ScoringSettings) -> pd.Series:
    """Recency decay of each source: 0.5 ** (age / half-life); 1 when off or when undated."""
    factors = pd.Series(1.0, index=sources["key"].to_numpy())
    if settings.recency_half_life_years is None or settings.as_of is None:
        return factors
    dates = pd.to_datetime(sources["published_date"], errors="coerce")
    from_year = pd.to_datetime(
        sources["year"].astype("Float64").map(lambda y: None if pd.isna(y) else f"{int(y)}-07-01"), errors="coerce"
    )
    dates = dates.fillna(from_year)
    age_days = (pd.Timestamp(settings.as_of) - dates).dt.days.astype(float).clip(lower=0)
    decayed = np.power(0.5, age_days.to_numpy() / 365.25 / settings.recency_half_life_years)
    factors[:] = np.where(np.isnan(decayed), 1.0, decayed)
    return factors


def effective_severity(critiques: pd.DataFrame, settings: ScoringSettings) -> pd.Series:
    """Severity that counts: full when accepted, scaled when open, zero when rejected."""
    status_factor = critiques["status"].map(
        {"accepted": 1.0, "open": settings.open_critique_severity_factor, "rejected": 0.0}
    )
    return (critiques["severity"].clip(0, 1) * status_factor).astype(float)


def standing_mask(evidence: Evidence, retracted: np.ndarray) -> np.ndarray:
    """Which critiques still stand: not raised by, nor aimed at, a retracted claim (retracted: one flag per claim)."""
    flagged = np.append(retracted, False)  # position -1, no critic claim, is never retracted
    target = evidence.positions("critiques", "target_claim_key")
    return ~flagged[target] & ~flagged[evidence.positions("critiques", "critic_claim_key")]


def active_critiques(evidence: Evidence, retracted: np.ndarray) -> pd.DataFrame:
    """The critiques that still stand, with the position of their target claim."""
    standing = standing_mask(evidence, retracted)
    target = evidence.positions("critiques", "target_claim_key")[standing]
    return evidence.critiques[standing].assign(target_claim=target)


def critique_discounts(evidence: Evidence, retracted: np.ndarray, settings: ScoringSettings) -> np.ndarray:
    """Product of (1 - effective severity) over the standing discounting critiques of each claim (1 if none),
    leaving out critiques whose finding already counts as the critic's own failure (already_counted)."""
    critiques = evidence.critiques
    discounting = standing_mask(evidence, retracted) & critiques["kind"].isin(settings.discounting_critique_kinds)
    discounting &= ~already_counted(evidence, settings)
    multiplier = (1.0 - effective_severity(critiques[discounting], settings)).to_numpy()
    target = evidence.positions("critiques", "target_claim_key")[discounting]
    return products_by(target, np.where(np.isnan(multiplier), 1.0, multiplier), len(retracted))


def claim_weights(evidence: Evidence, settings: ScoringSettings) -> pd.DataFrame:
    """One row per claim (indexed by key) with each weight factor and the final weight in [0, 1]."""
    claims = evidence.claims.set_index("key", drop=False)
    source = evidence.positions("claims", "source_key")
    tiers = source_tiers(evidence.sources, settings).to_numpy()[source]
    recency = recency_factors(evidence.sources, settings).to_numpy()[source]
    status = evidence.coded("claims", "status")
    status_factor = status.take([settings.status_factor(s) for s in status.uniques], np.nan).astype(float)
    discounts = critique_discounts(evidence, status_factor == 0.0, settings)
    table = pd.DataFrame(
        {
            "source_key": claims["source_key"],
            "kind": claims["kind"],
            "proposal": claims["kind"].to_numpy() == "proposal",
            "status": claims["status"],
            "stance": claims["stance"],
            "method": claims["method"],
            "text": claims["text"],
            "tier": tiers,
            "status_factor": status_factor,
            "confidence": claims["confidence"].clip(0, 1).astype(float),
            "critique_factor": discounts,
            "recency_factor": recency,
        },
        index=claims.index,
    )
    table["critique_factor"] = table["critique_factor"].clip(0, 1)
    table["weight_before_critiques"] = (
        table["tier"] * table["status_factor"] * table["confidence"] * table["recency_factor"]
    ).clip(0, 1)
    table["weight"] = (
        table["tier"]
        * table["status_factor"]
        * table["confidence"]
        * table["critique_factor"]
        * table["recency_factor"]
    ).clip(0, 1)
    return table
