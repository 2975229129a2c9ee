"""Every tunable number of the scoring engine, with its default and the reason for it.

The settings are part of the input fingerprint: two assessments made with different settings
never share a fingerprint. docs/scoring.md explains each default.
"""

from __future__ import annotations

import datetime as dt
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

Unit = float


def _default_tiers() -> dict[str, float]:
    return {
        "paper": 0.8,  # a paper that is not peer reviewed is read like a preprint
        "preprint": 0.8,
        "benchmark": 0.8,
        "model_card": 0.7,  # lab reports and model cards: detailed, but not independently checked
        "dataset": 0.7,
        "survey": 0.5,
        "blog": 0.5,
        "statement": 0.3,
        "talk": 0.3,
    }


def _default_peer_reviewed_tiers() -> dict[str, float]:
    return {"paper": 1.0, "benchmark": 1.0, "preprint": 1.0, "dataset": 1.0, "survey": 0.6}


class ScoringSettings(BaseModel):
    """Scoring parameters; every field has a documented default (see docs/scoring.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # 1. Evidence weight
    tier_by_kind: dict[str, float] = Field(default_factory=_default_tiers)
    peer_reviewed_tier_by_kind: dict[str, float] = Field(default_factory=_default_peer_reviewed_tiers)
    unknown_kind_tier: float = Field(0.3, ge=0, le=1)
    draft_factor: float = Field(0.5, ge=0, le=1, description="weight multiplier of a draft or in-review claim")
    open_critique_severity_factor: float = Field(0.5, ge=0, le=1)
    discounting_critique_kinds: tuple[str, ...] = (
        "methodological",
        "replication_failure",
        "scope_limitation",
        "confound",
        "rebuttal",
    )
    recency_half_life_years: float | None = Field(None, gt=0, description="None: no recency decay")
    as_of: dt.date | None = Field(None, description="reference date for recency; never today implicitly")
    unknown_method_family: str = Field("mechanistic", pattern="^(mechanistic|baseline)$")
    baseline_loss_is_failure: bool = True
    sample_size_full_credit: float = Field(
        100.0, gt=1, description="a result aggregating this many tasks or more gets the largest sample-size factor"
    )
    sample_size_max_factor: float = Field(
        2.0, ge=1, description="weight factor of a result at sample_size_full_credit; 1 for one case or unknown"
    )

    # 2-3. Scale and the band posteriors
    prior_alpha: float = Field(1.0, gt=0)
    prior_beta: float = Field(1.0, gt=0)
    credible_mass: float = Field(0.90, gt=0, lt=1)
    tractable_min_low: float = Field(
        0.5, ge=0, le=1, description="tractable: the interval's lower end is at least this (works more often than not)"
    )
    partial_min_low: float = Field(
        0.1, ge=0, le=1, description="partial: the interval's lower end is at least this (not near-certain failure)"
    )
    min_status_weight: float = Field(
        0.5, ge=0, description="below this weight a cell with evidence has too little evidence, whatever its interval"
    )
    points_per_range_segment: int = Field(4, ge=1, le=64)
    within_source_correlation: float = Field(
        1.0,
        ge=0,
        le=1,
        description="how alike one source's results in one cell are: 1 = they share one vote, 0 = each counts",
    )
    fit_bin_decades: float = Field(0.05, gt=0, le=1)

    # 4. Ceiling fit (grid posterior of a psychometric curve with lapses)
    logistic_slope_per_decade: float = Field(1.5, gt=0, description="fixed fall of logit P(works)")
    lapse_rate: float = Field(
        0.05, gt=0, lt=0.5, description="P(fails) far below / P(works) far above the ceiling: the distance discount"
    )
    ceiling_grid_min_log10: float = Field(-1.0, description="smallest candidate ceiling (log10 params)")
    ceiling_grid_max_log10: float = Field(16.0, description="largest candidate ceiling (log10 params)")
    ceiling_grid_step_decades: float = Field(0.02, gt=0, le=0.5)
    ceiling_prior_mean_log10: float = Field(10.0, description="weak prior centre of the ceiling (1e10)")
    ceiling_prior_sd_decades: float = Field(3.0, gt=0)
    min_fit_weight: float = Field(1.0, ge=0, description="below this sized weight: insufficient")
    min_fit_sources: int = Field(2, ge=1, description="fewer sources with sized results: insufficient")

    # 5'. Is there a fall at all? (app/scoring/fall.py; docs/scoring.md section 5)
    validity_standards: tuple[str, ...] = Field(
        ("simple_baseline", "ground_truth", "mechanistic_comparison", "not_recorded"),
        description="evaluation standards whose results enter the validity fit; the others count for reach only",
    )
    min_p_fall: float = Field(
        0.75, ge=0, le=1, description="a ceiling is stated only when P(fall | evidence) reaches this"
    )
    fall_prior_odds: float = Field(1.0, gt=0, description="prior odds of a fall against a flat P(works)")
    fall_drop_power: float = Field(
        1.0, ge=0, description="prior of a fall's height and floor: density proportional to (height - floor)^this"
    )
    fall_level_cells: int = Field(10, ge=2, le=50, description="grid cells of a level (flat rate, height, floor)")
    fall_grid_step_decades: float = Field(0.1, gt=0, le=1, description="step of the crossing grid of the test")
    informative_decades: float = Field(
        2.0, gt=0, description="evidence further than this from the crossing's interval does not set the range"
    )

    # 5. Grade: each domain ramps from no concern to one level between two values (docs/scoring.md)
    low_tier_below: float = Field(0.7, ge=0, le=1, description="a tier below this counts as low")
    risk_of_bias_share: tuple[float, float] = (0.25, 0.75)
    inconsistency_sd: tuple[float, float] = (0.15, 0.45)
    imprecision_width_decades: tuple[float, float] = (1.0, 3.0)
    imprecision_min_weight: tuple[float, float] = (3.0, 1.0)
    imprecision_rate_width: tuple[float, float] = (0.2, 0.5)  # a flat rate's 90% interval (no_scale_dependence)
    indirectness_decades: tuple[float, float] = (0.5, 1.5)
    toy_proxy_decades: float = Field(2.0, gt=0, description="evidence this far below the ceiling is a distant proxy")
    toy_proxy_share: tuple[float, float] = (0.3, 0.7)
    publication_bias_gap: tuple[float, float] = (0.2, 0.5)
    serious_critique_severity: float = Field(0.5, ge=0, le=1)
    top_evidence_for_critiques: int = Field(3, ge=1)

    # 7-9. Output sizes and probes
    safety_aspect_key: str = "safety"
    qualifier_aspect_keys: tuple[str, ...] = ("evaluation",)
    overall_excluded_aspects: tuple[str, ...] = ("safety", "evaluation")
    top_key_evidence: int = Field(3, ge=0)
    top_path_forward: int = Field(3, ge=0)
    top_barriers: int = Field(3, ge=0)
    top_baseline_comparisons: int = Field(5, ge=0)
    top_gaps: int = Field(5, ge=0)
    top_influential_sources: int = Field(3, ge=0)
    gap_probe_weight: float = Field(1.0, gt=0, le=1)
    excerpt_chars: int = Field(160, ge=20)

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        for name in ("tier_by_kind", "peer_reviewed_tier_by_kind"):
            bad = {k: v for k, v in getattr(self, name).items() if not 0.0 <= v <= 1.0}
            if bad:
                raise ValueError(f"{name} values must lie in [0, 1]: {bad}")
        if self.partial_min_low > self.tractable_min_low:
            raise ValueError("partial_min_low must not exceed tractable_min_low")
        if self.ceiling_grid_min_log10 >= self.ceiling_grid_max_log10:
            raise ValueError("ceiling_grid_min_log10 must be below ceiling_grid_max_log10")
        if self.recency_half_life_years is not None and self.as_of is None:
            raise ValueError("a recency half-life needs as_of (the reference date)")
        return self

    def status_factor(self, status: str) -> float:
        """Weight multiplier of a claim's review status: reviewed 1, draft or in review draft_factor, else 0."""
        if status == "reviewed":
            return 1.0
        return self.draft_factor if status in ("draft", "in_review") else 0.0

    def tier(self, kind: str | None, peer_reviewed: bool) -> float:
        """Source tier from its kind and peer review."""
        if peer_reviewed and kind in self.peer_reviewed_tier_by_kind:
            return self.peer_reviewed_tier_by_kind[kind]
        return self.tier_by_kind.get(kind or "", self.unknown_kind_tier)
