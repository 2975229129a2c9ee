"""A GRADE-style confidence level per aspect: start at high, go down one level per serious concern."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from app.scoring.ceiling import FitResult, format_params
from app.scoring.schema import GradeAssessment
from app.scoring.settings import ScoringSettings

LEVELS = ["high", "moderate", "low", "very_low"]


def risk_of_bias(aspect_claims: pd.DataFrame, settings: ScoringSettings) -> str | None:
    """Most of the weight comes from low-tier sources."""
    total = float(aspect_claims["weight"].sum())
    if total <= 0:
        return None
    low = float(aspect_claims.loc[aspect_claims["tier"] < settings.low_tier_below, "weight"].sum())
    if low / total > settings.risk_of_bias_share:
        return (
            f"Risk of bias: {low / total:.0%} of the evidence weight comes from low-tier sources "
            f"(tier below {settings.low_tier_below:g}: surveys, blogs, statements, talks)."
        )
    return None


def inconsistency(segments: pd.DataFrame, band_keys: list[str], settings: ScoringSettings) -> str | None:
    """Sources disagree within a band: the weighted spread of their success rates is large."""
    seg = segments[(segments["band"] >= 0) & (segments["wn"] > 0)]
    if seg.empty:
        return None
    per = seg.assign(wy=seg["wn"] * seg["y"]).groupby(["band", "source"], sort=True)[["wn", "wy"]].sum()
    band = per.index.get_level_values("band").to_numpy()
    w, rate = per["wn"].to_numpy(), (per["wy"] / per["wn"]).to_numpy()
    total = np.bincount(band, weights=w)
    mean = np.bincount(band, weights=w * rate) / np.where(total > 0, total, 1)
    spread = np.sqrt(np.bincount(band, weights=w * (rate - mean[band]) ** 2) / np.where(total > 0, total, 1))
    spread[np.bincount(band) < 2] = 0.0
    worst_band = int(np.argmax(spread))
    if spread[worst_band] >= settings.inconsistency_sd:
        return (
            f"Inconsistency: sources disagree in the {band_keys[worst_band]} band (weighted spread "
            f"of their success rates {spread[worst_band]:.2f}, threshold {settings.inconsistency_sd:g})."
        )
    return None


def imprecision(fit: FitResult, settings: ScoringSettings) -> tuple[int, str | None]:
    """No sized evidence (three levels), too thin to fit (two), a wide interval or little weight (one)."""
    if fit.state == "insufficient" and fit.weight <= 0:
        return 3, "Very serious imprecision: no sized result of a mechanistic method at all."
    if fit.state == "insufficient":
        return 2, f"Serious imprecision: {fit.reason}."
    z = float(norm.ppf(0.5 + settings.credible_mass / 2))
    width = 2 * z * fit.sd
    if fit.state == "estimated" and width > settings.imprecision_width_decades:
        return 1, (
            f"Imprecision: the {settings.credible_mass:.0%} interval spans {width:.1f} orders of "
            f"magnitude (more than {settings.imprecision_width_decades:g})."
        )
    if fit.weight < settings.imprecision_min_weight:
        return 1, (
            f"Imprecision: little total weight behind the fit ({fit.weight:.2f}, "
            f"less than {settings.imprecision_min_weight:g})."
        )
    return 0, None


def indirectness(fit: FitResult, x: np.ndarray, settings: ScoringSettings) -> str | None:
    """No evidence within an order of magnitude of the estimated ceiling: an extrapolation."""
    if fit.state != "estimated" or len(x) == 0:
        return None
    nearest = float(np.min(np.abs(x - fit.crossing)))
    if nearest > settings.indirectness_decades:
        return (
            f"Indirectness: no result within {settings.indirectness_decades:g} order(s) of magnitude "
            f"of the ceiling ({format_params(fit.crossing)}); the nearest is {nearest:.1f} away, "
            "so the ceiling is an extrapolation."
        )
    return None


def unresolved_critiques(top_claims: list[str], critiques: pd.DataFrame, settings: ScoringSettings) -> str | None:
    """Open or accepted critiques of high severity stand against the top evidence."""
    hits = critiques[
        critiques["target_claim_key"].isin(top_claims)
        & critiques["status"].isin(["open", "accepted"])
        & (critiques["kind"] != "support")
        & (critiques["severity"] >= settings.serious_critique_severity)
    ]
    if hits.empty:
        return None
    pairs = sorted(f"{k} on {t}" for k, t in zip(hits["key"], hits["target_claim_key"], strict=True))
    return (
        f"Unresolved critiques: {len(pairs)} open or accepted critique(s) of severity >= "
        f"{settings.serious_critique_severity:g} against the top evidence ({', '.join(pairs[:3])})."
    )


def grade_aspect(
    fit: FitResult,
    aspect_claims: pd.DataFrame,
    segments: pd.DataFrame,
    x: np.ndarray,
    top_claims: list[str],
    critiques: pd.DataFrame,
    overrides: pd.DataFrame,
    band_keys: list[str],
    settings: ScoringSettings,
) -> GradeAssessment:
    """Suggested level with its reasons, the analyst's override if any, and the final level."""
    levels_down, reasons = 0, []
    for reason in (risk_of_bias(aspect_claims, settings), inconsistency(segments, band_keys, settings)):
        if reason:
            levels_down, reasons = levels_down + 1, [*reasons, reason]
    down, reason = imprecision(fit, settings)
    if reason:
        levels_down, reasons = levels_down + down, [*reasons, reason]
    for reason in (indirectness(fit, x, settings), unresolved_critiques(top_claims, critiques, settings)):
        if reason:
            levels_down, reasons = levels_down + 1, [*reasons, reason]
    suggested = LEVELS[min(levels_down, len(LEVELS) - 1)]
    if not reasons:
        reasons = ["No serious concern in any of the five domains."]
    if overrides.empty:
        return GradeAssessment(suggested=suggested, reasons=reasons, final=suggested)
    lowest = max(overrides["grade"], key=LEVELS.index)
    why = "; ".join(sorted(str(r) for r in overrides["reason"] if r)) or "no reason given"
    return GradeAssessment(suggested=suggested, reasons=reasons, override=lowest, override_reason=why, final=lowest)
