"""A GRADE-style confidence level per aspect: start at high and take off what each domain's concerns cost.

Each of the five GRADE domains judges its concern on a ramp between two settings (no concern below the
first, one full level at the second) in quarter levels, and says why. The levels taken off are the rounded
sum, so a grade moves only when the domain figures add up to it, and the output shows which domains moved it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.scoring.ceiling import FitResult
from app.scoring.groups import group_sums
from app.scoring.schema import DomainJudgement, GradeAssessment
from app.scoring.settings import ScoringSettings

LEVELS = ["high", "moderate", "low", "very_low"]


def ramp(value: float, start: float, full: float) -> float:
    """0 at start, 1 at full (either direction), linear between, in quarter steps."""
    if full == start:
        return float(value >= full)
    share = float(np.clip((value - start) / (full - start), 0.0, 1.0))
    return round(share * 4) / 4


@dataclass(frozen=True)
class GradeInputs:
    """What the grade of one aspect looks at."""

    role: str
    fit: FitResult
    reach: FitResult
    claims: pd.DataFrame  # the aspect's visible non-proposal claims, with tier and weight
    segments: pd.DataFrame  # the aspect's band segments (validity weights)
    x: np.ndarray  # log10 sizes of the aspect's validity fit points with weight
    w: np.ndarray  # their weights
    top_claims: list[str]
    critiques: pd.DataFrame
    qualifier: tuple[str, str, str] | None  # (qualifier aspect, band, its status there)
    band_keys: list[str]
    measured_impacts: int = 0


def risk_of_bias(g: GradeInputs, settings: ScoringSettings) -> DomainJudgement:
    """Low-tier sources carry the weight, or serious critiques stand against the top evidence."""
    weight, tier = g.claims["weight"].to_numpy(), g.claims["tier"].to_numpy()
    total = float(weight.sum())
    share = float(weight[tier < settings.low_tier_below].sum()) / total if total else 0.0
    down = ramp(share, *settings.risk_of_bias_share)
    reasons = [f"{share:.0%} of the weight from low-tier sources (surveys, blogs, statements, talks)"]
    hits = g.critiques[g.critiques["target_claim_key"].isin(g.top_claims).to_numpy()]
    hits = hits[
        hits["status"].isin(["open", "accepted"])
        & (hits["kind"] != "support")
        & (hits["severity"] >= settings.serious_critique_severity)
    ]
    if len(hits):
        down += min(0.5, 0.25 * len(hits))
        pairs = sorted(f"{k} on {t}" for k, t in zip(hits["key"], hits["target_claim_key"], strict=True))
        reasons.append(f"{len(pairs)} standing critique(s) of the top evidence ({', '.join(pairs[:3])})")
    return DomainJudgement(domain="risk_of_bias", downgrade=min(down, 1.0), reason="; ".join(reasons) + ".")


def _source_rates(segments: pd.DataFrame, keys: list[str], sized_only: bool) -> pd.DataFrame:
    """Validity weight, weighted successes and success rate per key combination (sorted) with weight."""
    w, y = segments["w_validity"].to_numpy(), segments["y_validity"].to_numpy()
    keep = (w > 0) & (segments["band"].to_numpy() >= 0) if sized_only else w > 0
    per = group_sums({k: segments[k].to_numpy()[keep] for k in keys}, {"w_validity": w[keep], "wy": (w * y)[keep]})
    per = per[per["w_validity"].to_numpy() > 0]
    return per.assign(rate=per["wy"].to_numpy() / per["w_validity"].to_numpy())


def inconsistency(g: GradeInputs, settings: ScoringSettings) -> DomainJudgement:
    """Sources disagree within bands (pooled over every band with two or more), or success rises with scale."""
    per = _source_rates(g.segments, ["band", "source"], sized_only=True)
    if per.empty:
        return DomainJudgement(domain="inconsistency", downgrade=0.0, reason="No sized evidence to compare.")
    band, w, rate = per["band"].to_numpy(), per["w_validity"].to_numpy(), per["rate"].to_numpy()
    starts = np.flatnonzero(np.concatenate([[True], band[1:] != band[:-1]]))
    ends = np.append(starts[1:], len(band))
    spreads, weights, band_rates, band_weight = [], [], {}, {}
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        w_band, rate_band = w[start:end], rate[start:end]
        mean = np.average(rate_band, weights=w_band)
        band_rates[int(band[start])], band_weight[int(band[start])] = mean, float(w_band.sum())
        if end - start >= 2:
            spreads.append(float(np.sqrt(np.average((rate_band - mean) ** 2, weights=w_band))))
            weights.append(float(w_band.sum()))
    pooled = float(np.average(spreads, weights=weights)) if spreads else 0.0
    down = ramp(pooled, *settings.inconsistency_sd)
    reasons = [f"pooled spread of source success rates within bands {pooled:.2f} over {len(spreads)} band(s)"]
    heavy = [b for b in band_rates if band_weight[b] >= settings.min_status_weight]
    rises = [(lo, hi) for i, lo in enumerate(heavy) for hi in heavy[i + 1 :] if band_rates[hi] - band_rates[lo] > 0.25]
    if rises:
        lo, hi = rises[0]
        down += 0.5
        reasons.append(
            f"success is higher in the {g.band_keys[hi]} band ({band_rates[hi]:.2f}) than in the smaller "
            f"{g.band_keys[lo]} band ({band_rates[lo]:.2f}), against a ceiling"
        )
    return DomainJudgement(domain="inconsistency", downgrade=min(down, 1.0), reason="; ".join(reasons) + ".")


def indirectness(g: GradeInputs, settings: ScoringSettings) -> DomainJudgement:
    """Evidence far from the ceiling, toy proxies, reach without validity, and unchecked explanations."""
    down, reasons = 0.0, []
    fit = g.fit
    if fit.crossing is not None and len(g.x) and fit.state in ("estimated", "not_established"):
        nearest = float(np.min(np.abs(g.x - fit.crossing)))
        part = ramp(nearest, *settings.indirectness_decades)
        if part:
            down += part
            reasons.append(f"the nearest validity result is {nearest:.1f} orders of magnitude from the ceiling")
        far = float(g.w[g.x < fit.crossing - settings.toy_proxy_decades].sum()) / float(g.w.sum())
        part = ramp(far, *settings.toy_proxy_share) / 2
        if part:
            down += part
            reasons.append(
                f"{far:.0%} of the weight lies {settings.toy_proxy_decades:g}+ orders of magnitude below the "
                "ceiling (toy or distant proxies)"
            )
    if fit.state == "insufficient" and g.reach.state != "insufficient":
        down += 1.0
        reasons.append("reach-only evidence: the methods were applied at scale but their output was not validated")
    if g.qualifier is not None:
        aspect, band, status = g.qualifier
        part = {"tractable": 0.0, "partial": 0.5}.get(status, 1.0)
        if part:
            down += part
            reasons.append(
                f"explanations there cannot be fully checked: {aspect} is {status.replace('_', ' ')} in the {band} band"
            )
    reason = "; ".join(reasons) + "." if reasons else "Evidence is direct: near the ceiling, validated, checkable."
    return DomainJudgement(domain="indirectness", downgrade=min(down, 2.0), reason=reason[0].upper() + reason[1:])


def imprecision(g: GradeInputs, settings: ScoringSettings) -> DomainJudgement:
    """Too thin to fit, only a bound, a wide interval, or little weight."""
    fit = g.fit
    if g.role == "impact":
        down = ramp(g.measured_impacts, 5, 1)
        reason = f"{g.measured_impacts} mechanistic result(s) measured a safety effect (monitoring, improvement, harm)."
        return DomainJudgement(domain="imprecision", downgrade=down, reason=reason)
    if fit.state == "insufficient" and fit.weight <= 0 and g.reach.weight <= 0:
        return DomainJudgement(domain="imprecision", downgrade=3.0, reason="Very serious: no sized result at all.")
    if fit.state == "insufficient":
        return DomainJudgement(domain="imprecision", downgrade=2.0, reason=f"Very serious: {fit.reason}.")
    if fit.state in ("below_range", "not_reached"):
        return DomainJudgement(
            domain="imprecision", downgrade=1.0, reason="The evidence gives only a bound, not a located ceiling."
        )
    if fit.state == "no_scale_dependence":  # the claim is a flat rate: its interval, not the crossing's, is at stake
        _, low, high = fit.rate
        down = max(
            ramp(high - low, *settings.imprecision_rate_width), ramp(fit.weight, *settings.imprecision_min_weight)
        )
        reason = f"The flat rate's interval spans {low:.0%} to {high:.0%}; sized weight {fit.weight:.2f}."
        return DomainJudgement(domain="imprecision", downgrade=down, reason=reason)
    width = fit.width or 0.0
    down = max(ramp(width, *settings.imprecision_width_decades), ramp(fit.weight, *settings.imprecision_min_weight))
    mass = f"{settings.credible_mass:.0%}"
    reason = f"The {mass} interval spans {width:.1f} orders of magnitude; sized weight {fit.weight:.2f}."
    return DomainJudgement(domain="imprecision", downgrade=down, reason=reason)


def publication_bias(g: GradeInputs, settings: ScoringSettings) -> DomainJudgement:
    """A small-study pattern: low-tier sources report more success than high-tier ones."""
    per = _source_rates(g.segments, ["source"], sized_only=False)
    if per.empty:
        return DomainJudgement(domain="publication_bias", downgrade=0.0, reason="Not assessable: no sized evidence.")
    tiers = g.claims.groupby("source_code")["tier"].max()
    per = per.assign(tier=tiers.reindex(per["source"].to_numpy()).fillna(1.0).to_numpy())
    low, high = per[per["tier"] < settings.low_tier_below], per[per["tier"] >= settings.low_tier_below]
    if low.empty or high.empty:
        return DomainJudgement(
            domain="publication_bias", downgrade=0.0, reason="Not seen: no low-tier and high-tier sources to compare."
        )
    gap = float(low["wy"].sum() / low["w_validity"].sum() - high["wy"].sum() / high["w_validity"].sum())
    down = ramp(gap, *settings.publication_bias_gap)
    reason = f"Low-tier sources report {gap:+.2f} more success than high-tier ones (a small-study pattern)."
    return DomainJudgement(domain="publication_bias", downgrade=down, reason=reason)


def grade_aspect(g: GradeInputs, overrides: pd.DataFrame, settings: ScoringSettings) -> GradeAssessment:
    """Suggested level with its domain judgements, the analyst's override if any, and the final level."""
    domains = [
        risk_of_bias(g, settings),
        inconsistency(g, settings),
        indirectness(g, settings),
        imprecision(g, settings),
        publication_bias(g, settings),
    ]
    total = sum(d.downgrade for d in domains)
    suggested = LEVELS[min(int(np.floor(total + 0.5)), len(LEVELS) - 1)]
    name = {"risk_of_bias": "Risk of bias", "publication_bias": "Publication bias"}
    reasons = [
        f"{name.get(d.domain, d.domain.capitalize())} (-{d.downgrade:g}): {d.reason}" for d in domains if d.downgrade
    ] or ["No serious concern in any of the five domains."]
    if total:
        reasons.append(f"Levels taken off: {total:g} in all, rounded to {LEVELS.index(suggested)}.")
    if overrides.empty:
        return GradeAssessment(suggested=suggested, domains=domains, reasons=reasons, final=suggested)
    lowest = max(overrides["grade"], key=LEVELS.index)
    why = "; ".join(sorted(str(r) for r in overrides["reason"] if r)) or "no reason given"
    return GradeAssessment(
        suggested=suggested, domains=domains, reasons=reasons, override=lowest, override_reason=why, final=lowest
    )
