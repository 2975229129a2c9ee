"""assess(evidence, settings) -> Assessment: the whole engine, from frames to the typed output."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from app.scoring.bands import band_ceiling, scale_table
from app.scoring.ceiling import FitResult, bin_points, ceiling_output, fit_aspect
from app.scoring.citations import baseline_comparisons, top_claims
from app.scoring.gaps import evidence_gaps
from app.scoring.grade import LEVELS, grade_aspect
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
)
from app.scoring.sensitivity import aspect_sensitivity
from app.scoring.settings import ScoringSettings
from app.scoring.spread import ScaleData, scale_data
from app.scoring.weights import active_critiques, claim_weights, recency_factors, source_tiers

__all__ = ["Assessment", "assess"]


def critic_weights(
    critiques: pd.DataFrame, claims: pd.DataFrame, evidence: Evidence, settings: ScoringSettings
) -> pd.Series:
    """Weight of each critique's critic: its claim's weight, else its source's tier, else 1."""
    source_weight = source_tiers(evidence.sources, settings) * recency_factors(evidence.sources, settings)
    by_claim = critiques["critic_claim_key"].map(claims["weight"])
    by_source = critiques["critic_source_key"].map(source_weight)
    weight = by_claim.where(critiques["critic_claim_key"].notna(), by_source).fillna(1.0)
    return pd.Series(weight.to_numpy(), index=critiques["key"].to_numpy())


def aspect_membership(evidence: Evidence, claims: pd.DataFrame, aspect_keys: list[str]) -> np.ndarray:
    """Boolean matrix claims x aspects: which visible claims (weight > 0) bear on which aspect."""
    links = evidence.claim_aspects
    member = np.zeros((len(claims), len(aspect_keys)), dtype=bool)
    member[claims.index.get_indexer(links["claim_key"]), pd.Index(aspect_keys).get_indexer(links["aspect_key"])] = True
    return member & (claims["weight"].to_numpy() > 0)[:, None]


def aspect_row(
    a: int,
    fit: FitResult,
    data: ScaleData,
    claims: pd.DataFrame,
    member: np.ndarray,
    critiques: pd.DataFrame,
    cells: list[BandCell],
    evidence: Evidence,
    settings: ScoringSettings,
) -> AspectRow:
    """One row of the ceiling table."""
    aspect_key = data.aspect_keys[a]
    names = dict(zip(evidence.aspects["key"], evidence.aspects["name"], strict=True))
    rows = data.rows[data.rows["aspect"] == a]
    segments = data.segments[data.segments["aspect"] == a]
    mine = claims[member]
    top = top_claims(claims, member, False, settings.top_key_evidence, settings)
    undiscounted_top = top_claims(
        claims, member, False, settings.top_evidence_for_critiques, settings, by="weight_before_critiques"
    )
    x = data.points.loc[(data.points["aspect"] == a) & (data.points["wn"] > 0), "x"].to_numpy()
    overrides = evidence.grade_overrides[evidence.grade_overrides["aspect_key"] == aspect_key]
    grade = grade_aspect(
        fit,
        mine[mine["kind"] != "proposal"],
        segments,
        x,
        [t.claim_key for t in undiscounted_top],
        critiques,
        overrides,
        data.band_keys,
        settings,
    )
    plot_points = evidence_points(data, a)
    counts = Counts(
        results_in_fit=int(segments["row"].nunique()),
        results_without_size=int((rows["mechanistic"] & ~rows["sized"]).sum()),
        results_baseline=int((~rows["mechanistic"]).sum()),
        claims=int(member.sum()),
        sources=int(mine["source_key"].nunique()),
        fit_weight=round(fit.weight, 6),
    )
    return AspectRow(
        aspect_key=aspect_key,
        aspect_name=str(names.get(aspect_key) or aspect_key),
        ceiling=ceiling_output(fit, settings),
        band_ceiling=band_ceiling(cells, aspect_key, data.band_keys, settings),
        confidence=grade,
        key_evidence=top,
        path_forward=top_claims(claims, member, True, settings.top_path_forward, settings),
        baseline_comparisons=baseline_comparisons(
            rows, evidence.results, claims, data.source_keys, settings.top_baseline_comparisons
        ),
        counts=counts,
        curve=fitted_curve(fit, plot_points, settings),
        points=plot_points,
    )


def overall_row(
    rows: list[AspectRow],
    fits: list[FitResult],
    claims: pd.DataFrame,
    any_aspect: np.ndarray,
    band_keys: list[str],
    settings: ScoringSettings,
) -> OverallRow:
    """The weakest link among the included aspects that can be fitted, at the lowest of their grades."""
    excluded, included = {}, []
    for row, fit in zip(rows, fits, strict=True):
        if row.aspect_key in settings.overall_excluded_aspects:
            excluded[row.aspect_key] = "excluded by settings (reported in its own row)"
        elif fit.state == "insufficient":
            excluded[row.aspect_key] = "too thin to fit"
        else:
            included.append((fit.crossing, row.aspect_key, row))
    key_evidence = top_claims(claims, any_aspect, False, settings.top_key_evidence, settings)
    path_forward = top_claims(claims, any_aspect, True, settings.top_path_forward, settings)
    if not included:
        statement = "No aspect has enough sized evidence for a ceiling."
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
    _, limiting, limiting_row = min(included, key=lambda item: (item[0], item[1]))
    grade = max((row.confidence.final for *_, row in included), key=LEVELS.index)
    band_ceilings = [row.band_ceiling for *_, row in included]
    band = None if None in band_ceilings else min(band_ceilings, key=band_keys.index)
    statement = (
        f"Weakest link: {limiting} ({limiting_row.ceiling.statement}); "
        f"grade {grade.replace('_', ' ')}, the lowest of {len(included)} aspect(s)."
    )
    return OverallRow(
        ceiling=limiting_row.ceiling,
        limiting_aspect=limiting,
        band_ceiling=band,
        confidence=grade,
        aspects_included=sorted(k for _, k, _ in included),
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
    retracted = set(claims.index[claims["status"] == "retracted"])
    critiques = active_critiques(evidence, retracted)
    data = scale_data(evidence, claims, settings)
    bins = bin_points(data.points, settings, ["aspect"])
    source_bins = bin_points(data.points, settings, ["aspect", "source"])
    fits = [fit_aspect(a, data, bins, source_bins, settings) for a in range(len(data.aspect_keys))]
    cells = scale_table(data, claims, critiques, critic_weights(critiques, claims, evidence, settings), settings)
    member = aspect_membership(evidence, claims, data.aspect_keys)
    rows = [
        aspect_row(a, fits[a], data, claims, member[:, a], critiques, cells, evidence, settings)
        for a in range(len(data.aspect_keys))
    ]
    seg = data.segments
    mid = (data.rows["lo"].to_numpy() + data.rows["hi"].to_numpy())[seg["row"].to_numpy()] / 2
    x_max = pd.Series(mid).groupby([seg["aspect"].to_numpy(), seg["source"].to_numpy()]).max()
    sensitivity = []
    for a, aspect_key in enumerate(data.aspect_keys):
        per_source = x_max.loc[a] if a in x_max.index.get_level_values(0) else pd.Series(dtype=float)
        sensitivity.append(
            aspect_sensitivity(
                aspect_key,
                fits[a],
                bins[bins["aspect"] == a].reset_index(drop=True),
                source_bins[source_bins["aspect"] == a],
                per_source,
                data.source_keys,
                settings,
            )
        )
    safety_index = (
        data.aspect_keys.index(settings.safety_aspect_key) if settings.safety_aspect_key in data.aspect_keys else None
    )
    settings_json = settings.model_dump_json()
    return Assessment(
        fingerprint=fingerprint(evidence, settings_json),
        settings=settings.model_dump(mode="json"),
        bands=band_infos(evidence, data.band_keys),
        aspects=rows,
        scale_table=cells,
        safety=safety_row(data.rows, safety_index, evidence.results, claims, data.source_keys, settings),
        overall=overall_row(rows, fits, claims, member.any(axis=1), data.band_keys, settings),
        gaps=evidence_gaps(
            data.aspect_keys,
            data.band_keys,
            data.band_log10,
            bins,
            cells,
            [fit.state != "insufficient" for fit in fits],
            settings,
        ),
        sensitivity=sensitivity,
    )
