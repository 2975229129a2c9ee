"""assess(evidence, settings) -> Assessment: the whole engine, from frames to the typed output."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.scoring.bands import band_ceiling, rests_on_one_source, scale_table
from app.scoring.ceiling import (
    DIMENSIONS,
    STATES_WITH_A_CEILING,
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
from app.scoring.evaluation import evaluation_ceiling, evaluation_change, failure_standards
from app.scoring.gaps import evidence_gaps, what_would_change
from app.scoring.grade import GradeInputs, grade_aspect
from app.scoring.groups import count_distinct
from app.scoring.inputs import Evidence, fingerprint
from app.scoring.naming import ModelIndex, TestedModels, named_models
from app.scoring.overall import overall_row
from app.scoring.plotdata import evidence_points, fitted_curve
from app.scoring.safety import safety_row
from app.scoring.schema import (
    AspectRow,
    AspectSensitivity,
    Assessment,
    BandCell,
    BandInfo,
    Ceiling,
    Counts,
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
    models: ModelIndex  # every result's model and size, for naming them in statements


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


def row_change(aspect_key: str, gaps: list, states_a_ceiling: bool, band_names: dict[str, str]) -> str:
    """What evidence would change a row most, from its highest-ranked gap."""
    gap = next((g for g in gaps if g.aspect_key == aspect_key), None)
    return what_would_change(gap, states_a_ceiling, band_names.get(gap.band_key, gap.band_key) if gap else "")


def reach_positions(a: int, ctx: Context) -> np.ndarray:
    """Rows of Evidence.results with reach weight in aspect a."""
    segments = ctx.data.segments_of(a)
    rows = segments["row"].to_numpy()[segments["w_reach"].to_numpy() > 0]
    return ctx.data.rows["res"].to_numpy()[rows]


def overall_citations(ctx: Context) -> tuple[list, list]:
    """Key evidence (mechanistic) and path forward over every aspect, for the overall row."""
    any_aspect = ctx.member.any(axis=1)
    settings, claims = ctx.settings, ctx.claims
    key_evidence = top_claims(claims, any_aspect & ~ctx.baseline_claim, False, settings.top_key_evidence, settings)
    return key_evidence, top_claims(claims, any_aspect, True, settings.top_path_forward, settings)


def models_without(a: int, leave_out: tuple[str, object], rest: FitResult, ctx: Context) -> TestedModels:
    """The named validity models of aspect a without the segments whose column equals a value (the rest's fit)."""
    segments = ctx.data.segments_of(a)
    column, value = leave_out
    return models_behind(segments, ctx, rest, segments[column].to_numpy() != value)


def models_behind(segments: pd.DataFrame, ctx: Context, fit: FitResult, kept: np.ndarray | None = None) -> TestedModels:
    """The named models of the results with weight in the fit's dimension of an aspect (of the kept segments),
    with those at the ends of its informative range."""
    weighed = segments[f"w_{fit.dimension}"].to_numpy() > 0
    rows = segments["row"].to_numpy()[weighed if kept is None else weighed & kept]
    return named_models(ctx.models, ctx.data.rows["res"].to_numpy()[rows], fit.informative)


MEASURED_IMPACTS = [IMPACTS.index(i) for i in ("monitoring_aid", "measured_improvement", "negative")]
STATUS_ORDER = ["tractable", "partial", "fragmentary", "too_little_evidence", "no_evidence"]


def distinct(values, mask) -> int:
    """Number of distinct values where mask holds, for values in non-decreasing order (a row's pieces are
    contiguous in the aspect-major segments and points)."""
    picked = np.asarray(values)[np.asarray(mask, bool)]
    return int(len(picked) > 0) + int(np.count_nonzero(np.diff(picked)))


def grade_inputs(a: int, fits: dict[str, FitResult], ctx: Context) -> GradeInputs:
    """What the grade of aspect `a` looks at (the sensitivity recomputes it on part of the evidence)."""
    data, claims, settings = ctx.data, ctx.claims, ctx.settings
    member = ctx.member[:, a]
    role = aspect_role(data.aspect_keys[a], settings)
    all_rows = data.rows_of(a)
    mechanistic = all_rows["mechanistic"].to_numpy()
    segments = data.segments_of(a)
    undiscounted_top = top_claims(
        claims, member, False, settings.top_evidence_for_critiques, settings, by="weight_before_critiques"
    )
    top = [t.claim_key for t in undiscounted_top]
    pts = data.points_of(a)
    pts = pts.where(pts["w_validity"] > 0, ("x", "w_validity"))
    fit, reach = fits["validity"], fits["reach"]
    return GradeInputs(
        role=role,
        fit=fit,
        reach=reach,
        claims=claims.loc[member & ~claims["proposal"].to_numpy(), ["weight", "tier", "source_code"]],
        segments=segments,
        x=pts["x"],
        w=pts["w_validity"],
        top_claims=top,
        critiques=ctx.critiques[ctx.critiques["target_claim_key"].isin(top).to_numpy()],  # the grade reads no other
        qualifier=qualifier_status(fit, segments, ctx, role),
        band_keys=data.band_keys,
        measured_impacts=count_distinct(
            all_rows["res"].to_numpy()[mechanistic & np.isin(all_rows["impact"].to_numpy(), MEASURED_IMPACTS)]
        ),
    )


def aspect_row(a: int, fits: dict[str, FitResult], strata: list, ctx: Context, inputs: GradeInputs) -> AspectRow:
    """One row of the ceiling table."""
    data, claims, settings, evidence = ctx.data, ctx.claims, ctx.settings, ctx.evidence
    member = ctx.member[:, a]
    aspect_key = data.aspect_keys[a]
    role = aspect_role(aspect_key, settings)
    names = dict(zip(evidence.aspects["key"], evidence.aspects["name"], strict=True))
    all_rows = data.rows_of(a)
    mechanistic = all_rows["mechanistic"].to_numpy()
    segments = data.segments_of(a)
    fit, reach = fits["validity"], fits["reach"]
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
    if role == "scale":
        ceiling = ceiling_output(
            fit, settings, models_behind(segments, ctx, fit), standards=standard_fits(strata, segments, settings)
        )
        reach_ceiling = ceiling_output(reach, settings, models_behind(segments, ctx, reach), "reach")
    if role == "impact":
        ceiling = Ceiling(
            state="not_applicable", statement="Safety is reported as measured impact by band, not as a ceiling."
        )
        reach_ceiling = ceiling
    if role == "qualifier":
        ceiling = evaluation_ceiling(data.rows, evidence.coded("results", "evaluation_standard"), ctx.models)
        reach_ceiling = Ceiling(
            state="not_applicable", statement="Evaluation is reported by how results were judged, not as a reach."
        )
    band = None if role != "scale" else band_ceiling(ctx.cells, aspect_key, data.band_keys, ceiling, data.band_log10)
    return AspectRow(
        aspect_key=aspect_key,
        aspect_name=str(names.get(aspect_key) or aspect_key),
        role=role,
        ceiling=ceiling,
        reach_ceiling=reach_ceiling,
        band_ceiling=band,
        band_ceiling_single_study=rests_on_one_source(ctx.cells, aspect_key, band),
        confidence=grade,
        key_evidence=top_claims(claims, member & ~ctx.baseline_claim, False, settings.top_key_evidence, settings),
        baseline_evidence=top_claims(claims, member & ctx.baseline_claim, False, settings.top_key_evidence, settings),
        path_forward=top_claims(claims, member, True, settings.top_path_forward, settings),
        baseline_comparisons=baseline_comparisons(
            all_rows, evidence.results, claims, data.source_keys, settings.top_baseline_comparisons
        ),
        counts=counts,
        # a falling curve beside "no dependence on scale shown" would draw the fall the test did not find
        curve=[] if role != "scale" or fit.state == "no_scale_dependence" else fitted_curve(fit, plot_points, settings),
        points=plot_points,
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
    ctx = Context(
        data,
        claims,
        member,
        baseline_claims(data, claims, evidence),
        critiques,
        cells,
        evidence,
        settings,
        ModelIndex.of(evidence.results),
    )
    inputs = [grade_inputs(a, fits[a], ctx) for a in range(n)]
    rows = [aspect_row(a, fits[a], strata[a]["validity"], ctx, inputs[a]) for a in range(n)]
    sensitivity = [
        AspectSensitivity(aspect_key=aspect_key, sources=[], without_estimates=None)
        if aspect_role(aspect_key, settings) != "scale"  # evaluation and safety report no ceiling to move
        else aspect_sensitivity(
            aspect_key,
            fits[a]["validity"],
            bins[bins["aspect"] == a].reset_index(drop=True),
            aspect_points[a],
            inputs[a],
            rows[a].confidence.suggested,
            rows[a].counts.results_estimated_size,
            data.source_keys,
            settings,
            lambda rest, left_out, a=a: (
                ceiling_output(rest, settings, models_without(a, left_out, rest, ctx)).statement
            ),
            strata[a]["validity"],
        )
        for a, aspect_key in enumerate(data.aspect_keys)
    ]
    safety = safety_row(data.rows, evidence, claims, data.source_keys, data.band_keys, data.band_log10, settings)
    states_a_ceiling = [  # a row that shows no fall (or no success) has no ceiling for new evidence to move
        fit["validity"].state in STATES_WITH_A_CEILING and aspect_role(k, settings) == "scale"
        for k, fit in zip(data.aspect_keys, fits, strict=True)
    ]
    gaps = evidence_gaps(data.aspect_keys, data.band_keys, data.band_log10, bins, cells, states_a_ceiling, settings)
    band_names = dict(zip(evidence.bands["key"], evidence.bands["name"].fillna(evidence.bands["key"]), strict=True))
    changes = {
        "scale": lambda a, row: row_change(row.aspect_key, gaps, states_a_ceiling[a], band_names),
        "qualifier": lambda a, row: evaluation_change(row.ceiling),
        "impact": lambda a, row: "",
    }
    rows = [row.model_copy(update={"what_would_change": changes[row.role](a, row)}) for a, row in enumerate(rows)]
    settings_json = settings.model_dump_json()
    return Assessment(
        fingerprint=fingerprint(evidence, settings_json),
        settings=settings.model_dump(mode="json"),
        bands=band_infos(evidence, data.band_keys),
        aspects=rows,
        scale_table=[c for c in cells if aspect_role(c.aspect_key, settings) != "impact"],  # no P(works) for safety
        safety=safety,
        overall=overall_row(
            rows,
            cells,
            band_names,
            {k: reach_positions(a, ctx) for a, k in enumerate(data.aspect_keys)},
            ctx.models,
            safety,
            overall_citations(ctx),
            settings,
            {
                k: failure_standards(data.segments_of(a), data.rows, evidence.coded("results", "evaluation_standard"))
                for a, k in enumerate(data.aspect_keys)
            },
        ),
        gaps=gaps[: settings.top_gaps],
        sensitivity=sensitivity,
    )
