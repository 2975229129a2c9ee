"""assess(evidence, settings) -> Assessment: the whole engine, from frames to the typed output."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.scoring.bands import band_ceiling, scale_table
from app.scoring.ceiling import (
    BINNED,
    DIMENSIONS,
    FitResult,
    aspect_bins,
    ceiling_output,
    evidence_range,
    fit_dimension,
    sources_with_weight,
    standard_fits,
    strata_of,
)
from app.scoring.citations import baseline_comparisons, top_claims
from app.scoring.gaps import evidence_gaps
from app.scoring.grade import LEVELS, GradeInputs, grade_aspect
from app.scoring.groups import count_distinct
from app.scoring.inputs import Evidence, fingerprint
from app.scoring.plotdata import evidence_points, fitted_curve
from app.scoring.safety import safety_row
from app.scoring.schema import (
    AspectRow,
    Assessment,
    BandCell,
    BandInfo,
    Ceiling,
    Counts,
    OverallRow,
    SafetyRow,
)
from app.scoring.sensitivity import aspect_sensitivity
from app.scoring.settings import ScoringSettings
from app.scoring.spread import IMPACTS, STANDARDS, ScaleData, of_family, scale_data
from app.scoring.weights import active_critiques, claim_weights, recency_factors, source_tiers

__all__ = ["Assessment", "assess"]


def critic_weights(
    critiques: pd.DataFrame, claims: pd.DataFrame, evidence: Evidence, settings: ScoringSettings
) -> pd.Series:
    """Weight of each critique's critic (indexed like critiques): its claim's weight, else its source's tier, else 1."""
    source_weight = (source_tiers(evidence.sources, settings) * recency_factors(evidence.sources, settings)).to_numpy()
    at = critiques.index.to_numpy()  # critiques are rows of evidence.critiques
    claim = evidence.positions("critiques", "critic_claim_key")[at]
    source = evidence.positions("critiques", "critic_source_key")[at]
    by_claim = np.append(claims["weight"].to_numpy(), np.nan)[claim]
    weight = np.where(claim >= 0, by_claim, np.append(source_weight, np.nan)[source])
    return pd.Series(np.where(np.isnan(weight), 1.0, weight), index=critiques.index)


def aspect_membership(data: ScaleData, claims: pd.DataFrame) -> np.ndarray:
    """Boolean matrix claims x aspects: which visible claims (weight > 0) bear on which aspect."""
    member = np.zeros((len(claims), len(data.aspect_keys)), dtype=bool)
    member[data.links] = True
    return member & (claims["weight"].to_numpy() > 0)[:, None]


def aspect_role(aspect_key: str, settings: ScoringSettings) -> str:
    """scale (a tractability ceiling), qualifier (how far the others can be trusted) or impact (safety)."""
    if aspect_key == settings.safety_aspect_key:
        return "impact"
    return "qualifier" if aspect_key in settings.qualifier_aspect_keys else "scale"


def baseline_claims(data: ScaleData, claims: pd.DataFrame, evidence: Evidence) -> np.ndarray:
    """Claims whose evidence is a simple baseline's: baseline results only, or no result and a baseline method."""
    rows = data.rows
    mech = np.zeros(len(claims), bool)
    base = np.zeros(len(claims), bool)
    mech[rows.loc[rows["mechanistic"], "claim"].to_numpy()] = True
    base[rows.loc[~rows["mechanistic"], "claim"].to_numpy()] = True
    method_is_baseline = of_family(evidence, "claims", "method", "baseline", None) == 1
    return (base & ~mech) | (~base & ~mech & method_is_baseline)


@dataclass(frozen=True)
class Context:
    """What every aspect row shares."""

    data: ScaleData
    claims: pd.DataFrame
    member: np.ndarray
    baseline_claim: np.ndarray
    critiques: pd.DataFrame
    cells: list[BandCell]
    evidence: Evidence
    settings: ScoringSettings


def qualifier_status(fit: FitResult, segments: pd.DataFrame, ctx: Context, role: str) -> tuple[str, str, str] | None:
    """The qualifier aspect's status in the band where this aspect's ceiling (or its largest evidence) lies."""
    settings = ctx.settings
    qualifiers = [k for k in settings.qualifier_aspect_keys if k in ctx.data.aspect_keys]
    if role != "scale" or not qualifiers:
        return None
    x = fit.crossing if fit.crossing is not None else fit.x_max
    if x is None:
        return None
    x = min(max(x, fit.x_min if fit.x_min is not None else x), fit.x_max if fit.x_max is not None else x)
    lows, highs = ctx.data.band_log10[:, 0], ctx.data.band_log10[:, 1]
    inside = np.flatnonzero((lows <= x) & (x < highs))
    if not len(inside):
        return None
    band = ctx.data.band_keys[int(inside[0])]
    statuses = {(c.aspect_key, c.band_key): c.status for c in ctx.cells}
    worst = max(qualifiers, key=lambda k: STATUS_ORDER.index(statuses.get((k, band), "no_evidence")))
    return worst, band, statuses.get((worst, band), "no_evidence")


MEASURED_IMPACTS = [IMPACTS.index(i) for i in ("monitoring_aid", "measured_improvement", "negative")]
STATUS_ORDER = ["tractable", "partial", "fragmentary", "no_evidence"]


def distinct(values, mask) -> int:
    """Number of distinct values where mask holds, for values in non-decreasing order (a row's pieces are
    contiguous in the aspect-major segments and points)."""
    picked = np.asarray(values)[np.asarray(mask, bool)]
    return int(len(picked) > 0) + int(np.count_nonzero(np.diff(picked)))


def aspect_row(a: int, fits: dict[str, FitResult], strata: list, ctx: Context) -> AspectRow:
    """One row of the ceiling table."""
    data, claims, settings, evidence = ctx.data, ctx.claims, ctx.settings, ctx.evidence
    member = ctx.member[:, a]
    aspect_key = data.aspect_keys[a]
    role = aspect_role(aspect_key, settings)
    names = dict(zip(evidence.aspects["key"], evidence.aspects["name"], strict=True))
    all_rows = data.rows_of(a)
    mechanistic = all_rows["mechanistic"].to_numpy()
    segments = data.segments_of(a)
    undiscounted_top = top_claims(
        claims, member, False, settings.top_evidence_for_critiques, settings, by="weight_before_critiques"
    )
    pts = data.points_of(a)
    pts = pts.where(pts["w_validity"] > 0, ("x", "w_validity"))
    fit, reach = fits["validity"], fits["reach"]
    inputs = GradeInputs(
        role=role,
        fit=fit,
        reach=reach,
        claims=claims.loc[member & ~claims["proposal"].to_numpy(), ["weight", "tier", "source_code"]],
        segments=segments,
        x=pts["x"],
        w=pts["w_validity"],
        top_claims=[t.claim_key for t in undiscounted_top],
        critiques=ctx.critiques,
        qualifier=qualifier_status(fit, segments, ctx, role),
        band_keys=data.band_keys,
        measured_impacts=count_distinct(
            all_rows["res"].to_numpy()[mechanistic & np.isin(all_rows["impact"].to_numpy(), MEASURED_IMPACTS)]
        ),
    )
    overrides = evidence.grade_overrides[evidence.grade_overrides["aspect_key"] == aspect_key]
    grade = grade_aspect(inputs, overrides, settings)
    plot_points = evidence_points(data, a)
    judged = np.isin(segments["standard"], [STANDARDS.index(s) for s in settings.validity_standards])
    counts = Counts(
        results_in_fit=distinct(segments["row"], segments["w_validity"] > 0),
        results_without_size=int((mechanistic & ~all_rows["sized"].to_numpy()).sum()),
        results_baseline=int((~mechanistic).sum()),
        results_censored=distinct(segments["row"], (segments["w_validity"] == 0) & judged & segments["y"].notna()),
        results_estimated_size=distinct(segments["row"], segments["estimated"]),
        claims=int(member.sum()),
        sources=count_distinct(ctx.evidence.positions("claims", "source_key")[member]),
        fit_weight=round(fit.weight, 6),
    )
    ceiling = ceiling_output(fit, settings, standard_fits(strata, segments, settings))
    if role == "impact":
        ceiling = Ceiling(
            state="not_applicable", statement="Safety is reported as measured impact by band, not as a ceiling."
        )
    return AspectRow(
        aspect_key=aspect_key,
        aspect_name=str(names.get(aspect_key) or aspect_key),
        role=role,
        ceiling=ceiling,
        reach_ceiling=ceiling_output(reach, settings),
        band_ceiling=None
        if role == "impact"
        else band_ceiling(ctx.cells, aspect_key, data.band_keys, ceiling, data.band_log10[:, 0]),
        confidence=grade,
        key_evidence=top_claims(claims, member & ~ctx.baseline_claim, False, settings.top_key_evidence, settings),
        baseline_evidence=top_claims(claims, member & ctx.baseline_claim, False, settings.top_key_evidence, settings),
        path_forward=top_claims(claims, member, True, settings.top_path_forward, settings),
        baseline_comparisons=baseline_comparisons(
            all_rows, evidence.results, claims, data.source_keys, settings.top_baseline_comparisons
        ),
        counts=counts,
        curve=[] if role == "impact" else fitted_curve(fit, plot_points, settings),
        points=plot_points,
    )


def overall_row(rows: list[AspectRow], ctx: Context, safety: SafetyRow) -> OverallRow:
    """The weakest validated scale aspect, its reach beside it, qualified by evaluation and safety.

    A mechanistic account at some scale needs its units (features) and how they compose (circuits) together,
    so the programme's validity ceiling is the lowest of the scale aspects'; evaluation lowers their grades
    instead of entering the minimum, and safety is measured impact, stated beside it.
    """
    settings, claims = ctx.settings, ctx.claims
    excluded, included = {}, []
    for row in rows:
        if row.role != "scale" or row.aspect_key in settings.overall_excluded_aspects:
            excluded[row.aspect_key] = {
                "qualifier": "qualifies the other rows' confidence (reported in its own row)",
                "impact": "measured impact, reported in its own row",
            }.get(row.role, "excluded by settings")
        elif row.ceiling.state == "insufficient":
            excluded[row.aspect_key] = "too thin to fit"
        else:
            included.append(row)
    any_aspect = ctx.member.any(axis=1)
    key_evidence = top_claims(claims, any_aspect & ~ctx.baseline_claim, False, settings.top_key_evidence, settings)
    path_forward = top_claims(claims, any_aspect, True, settings.top_path_forward, settings)
    qualifiers = [r for r in rows if r.role == "qualifier"]
    qualifier_text = "".join(
        f" Evaluation ({q.aspect_key}): {q.ceiling.statement}; it lowers the confidence of the rows above."
        for q in qualifiers
    )
    if not included:
        statement = "No scale aspect has enough sized evidence for a ceiling." + qualifier_text
        return OverallRow(
            ceiling=Ceiling(state="insufficient", statement=statement),
            limiting_aspect=None,
            band_ceiling=None,
            confidence="very_low",
            aspects_included=[],
            aspects_excluded=excluded,
            key_evidence=key_evidence,
            path_forward=path_forward,
            statement=statement,
        )
    rank = {"not_established": 0, "below_range": 1, "estimated": 2, "not_reached": 3, "no_scale_dependence": 4}

    def position(row: AspectRow) -> tuple:
        c = row.ceiling
        return (rank[c.state], c.crossing_log10_params if c.crossing_log10_params is not None else 0.0, row.aspect_key)

    limiting = min(included, key=position)

    def reach_position(row: AspectRow) -> tuple:
        c = row.reach_ceiling
        size = c.largest_observed_params if c.state == "not_reached" else 10 ** (c.crossing_log10_params or 0)
        return (rank.get(c.state, -1), size or 0.0, row.aspect_key)

    reach = max(included, key=reach_position)
    grade = max((row.confidence.final for row in included), key=LEVELS.index)
    band_ceilings = [row.band_ceiling for row in included]
    band = None if None in band_ceilings else min(band_ceilings, key=ctx.data.band_keys.index)
    statement = (
        f"Validated mechanistic accounts: {limiting.ceiling.statement}, limited by {limiting.aspect_key} "
        f"(the lowest of {', '.join(r.aspect_key for r in sorted(included, key=lambda r: r.aspect_key))}). "
        f"The methods have been applied (reach, {reach.aspect_key}): {reach.reach_ceiling.statement}."
        f"{qualifier_text} Safety: {safety.statement} Confidence {grade.replace('_', ' ')}, "
        f"the lowest of the rows it combines."
    )
    return OverallRow(
        ceiling=limiting.ceiling,
        reach_ceiling=reach.reach_ceiling,
        limiting_aspect=limiting.aspect_key,
        band_ceiling=band,
        confidence=grade,
        aspects_included=sorted(r.aspect_key for r in included),
        aspects_excluded=excluded,
        key_evidence=key_evidence,
        path_forward=path_forward,
        statement=statement,
    )


def band_infos(evidence: Evidence, band_keys: list[str]) -> list[BandInfo]:
    """The bands in order, as used."""
    bands = evidence.bands.set_index("key").loc[band_keys]
    return [
        BandInfo(
            key=k,
            name=str(r["name"] or k),
            min_params=None if pd.isna(r["min_params"]) else float(r["min_params"]),
            max_params=None if pd.isna(r["max_params"]) else float(r["max_params"]),
        )
        for k, r in bands.iterrows()
    ]


def assess(evidence: Evidence, settings: ScoringSettings | None = None, *, as_of: dt.date | None = None) -> Assessment:
    """Score the evidence: ceiling table, scale table, safety, overall, gaps and sensitivity."""
    settings = settings or ScoringSettings()
    if as_of is not None:
        settings = ScoringSettings.model_validate({**settings.model_dump(), "as_of": as_of})
    claims = claim_weights(evidence, settings)
    retracted = claims["status_factor"].to_numpy() == 0.0
    critiques = active_critiques(evidence, retracted)
    data = scale_data(evidence, claims, settings)
    with_rows = np.zeros(len(claims), bool)
    with_rows[data.rows["claim"].to_numpy()] = True
    source = evidence.positions("claims", "source_key")
    claims = claims.assign(source_code=np.where(with_rows, source, np.nan))
    n = len(data.aspect_keys)
    aspect_points = [data.points_of(a) for a in range(n)]
    bins = pd.concat(
        [aspect_bins(p, settings).assign(aspect=a) for a, p in enumerate(aspect_points)], ignore_index=True
    )
    strata = [{d: strata_of(aspect_points[a], d, settings) for d in DIMENSIONS} for a in range(n)]
    fits = [
        {
            d: fit_dimension(
                bins[bins["aspect"] == a],
                sources_with_weight(aspect_points[a], d),
                d,
                settings,
                evidence_range(aspect_points[a], d),
                strata[a][d],
                np.asarray(aspect_points[a]["x"])[np.asarray(aspect_points[a][f"w_{d}"]) > 0],
            )
            for d in DIMENSIONS
        }
        for a in range(n)
    ]
    cells = scale_table(data, claims, critiques, critic_weights(critiques, claims, evidence, settings), settings)
    member = aspect_membership(data, claims)
    ctx = Context(data, claims, member, baseline_claims(data, claims, evidence), critiques, cells, evidence, settings)
    rows = [aspect_row(a, fits[a], strata[a]["validity"], ctx) for a in range(n)]
    sensitivity = []
    for a, aspect_key in enumerate(data.aspect_keys):
        estimated = aspect_points[a]["estimated"].astype(bool)
        measured_points = aspect_points[a].where(~estimated, BINNED)
        measured = (
            aspect_bins(measured_points, settings),
            sources_with_weight(measured_points, "validity"),
            evidence_range(measured_points, "validity"),
        )
        sensitivity.append(
            aspect_sensitivity(
                aspect_key,
                fits[a]["validity"],
                bins[bins["aspect"] == a].reset_index(drop=True),
                aspect_points[a],
                measured,
                rows[a].counts.results_estimated_size,
                data.source_keys,
                settings,
            )
        )
    safety_index = (
        data.aspect_keys.index(settings.safety_aspect_key) if settings.safety_aspect_key in data.aspect_keys else None
    )
    safety = safety_row(
        data.rows, safety_index, evidence, claims, data.source_keys, data.band_keys, data.band_log10, settings
    )
    settings_json = settings.model_dump_json()
    return Assessment(
        fingerprint=fingerprint(evidence, settings_json),
        settings=settings.model_dump(mode="json"),
        bands=band_infos(evidence, data.band_keys),
        aspects=rows,
        scale_table=cells,
        safety=safety,
        overall=overall_row(rows, ctx, safety),
        gaps=evidence_gaps(
            data.aspect_keys,
            data.band_keys,
            data.band_log10,
            bins,
            cells,
            [
                fit["validity"].state != "insufficient" and aspect_role(k, settings) != "impact"
                for k, fit in zip(data.aspect_keys, fits, strict=True)
            ],
            settings,
        ),
        sensitivity=sensitivity,
    )
