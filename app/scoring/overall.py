"""The overall row: the scale aspects side by side, each with its own statement, then reach, evaluation,
safety and the confidence of the whole sentence (docs/scoring.md, section 7).

There is no minimum over aspects: an account at the level of heads (Chinchilla's output heads, IOI) is a
mechanistic account without features, so the lower of features and circuits is not the programme's ceiling,
and a minimum would contradict the circuits row printed beside it.
"""

from __future__ import annotations

import numpy as np

from app.scoring.grade import LEVELS
from app.scoring.naming import ModelIndex, named_models
from app.scoring.schema import AspectRow, BandCell, EvidenceRef, OverallPart, OverallRow, SafetyRow
from app.scoring.settings import ScoringSettings


def aspect_clause(row: AspectRow, cells: list[BandCell], band_names: dict[str, str], failures_judged: str = "") -> str:
    """One short clause a researcher can sign for a scale aspect, from its state and its band table; with no
    scale where it works, how its failures were judged, since a change of standard can pose as a change of scale."""
    c, name = row.ceiling, row.aspect_name.split(" (")[0]
    if c.state in ("not_established", "below_range"):
        smallest = f" (smallest model tested: {c.smallest_model})" if c.smallest_model else ""
        verdict = "not validated" if c.state == "not_established" else "not shown to work more often than not"
        judged = f"; its failures were judged {failures_judged}" if failures_judged else ""
        return f"{name}: {verdict} at any scale tested{smallest}{judged}"
    if c.state == "not_reached" and row.band_ceiling:
        walk = [x.status for x in cells if x.aspect_key == row.aspect_key and x.status != "no_evidence"]
        level = "partial" if "partial" in walk else "tractable"
        band = band_names.get(row.band_ceiling, row.band_ceiling)
        single = f"; the {band} band rests on a single study" if row.band_ceiling_single_study else ""
        return f"{name}: {level} up to the largest model tested ({c.largest_model}), no failure located{single}"
    if c.state == "no_scale_dependence" and (c.rate or 0.0) < 0.5 and failures_judged:
        return f"{name}: {c.statement}; its failures were judged {failures_judged}"
    return f"{name}: {c.statement}"


def frontier_reach(rows: list[AspectRow], reach_positions: dict[str, np.ndarray], models: ModelIndex) -> str:
    """Where the methods have been applied beyond every disclosed size: the frontier models, named."""
    keys = [r.aspect_key for r in rows]
    positions = np.concatenate([reach_positions[k] for k in keys]) if keys else np.zeros(0, np.int64)
    named = named_models(models, positions)
    if named.frontier:
        return f"Methods have been applied to frontier models: {named.frontier_text()}."
    return f"Methods have been applied up to {named.largest.text()}." if named.largest else ""


def safety_clause(safety: SafetyRow) -> str:
    """The safety row in one sentence: a measured improvement from a mechanistic method or its absence."""
    improved = safety.mechanistic.get("measured_improvement", 0)
    if improved:
        return f"Measured safety improvement from a mechanistic method in {improved} result(s)."
    return "No measured safety improvement from a mechanistic method."


def overall_row(
    rows: list[AspectRow],
    cells: list[BandCell],
    band_names: dict[str, str],
    reach_positions: dict[str, np.ndarray],
    models: ModelIndex,
    safety: SafetyRow,
    citations: tuple[list[EvidenceRef], list[EvidenceRef]],
    settings: ScoringSettings,
    failures_judged: dict[str, str] | None = None,
) -> OverallRow:
    """Features and circuits (every scale aspect) side by side, then reach, evaluation and safety.

    The confidence is that of the sentence as a whole: it asserts every clause, so it can be no surer
    than its least sure clause, the lowest grade among the scale rows it cites (a row too thin to fit
    asserts nothing about scale and does not count; with no other row the grade is very low).
    """
    failures_judged = failures_judged or {}
    excluded, included = {}, []
    for row in rows:
        if row.role != "scale" or row.aspect_key in settings.overall_excluded_aspects:
            excluded[row.aspect_key] = {
                "qualifier": "qualifies the other rows' confidence (reported in its own row)",
                "impact": "measured impact, reported in its own row",
            }.get(row.role, "excluded by settings")
        else:
            included.append(row)
    parts = [
        OverallPart(
            aspect_key=r.aspect_key,
            state=r.ceiling.state,
            statement=aspect_clause(r, cells, band_names, failures_judged.get(r.aspect_key, "")),
            band_ceiling=r.band_ceiling,
            single_study=r.band_ceiling_single_study,
            confidence=r.confidence.final,
        )
        for r in included
    ]
    asserted = [r.confidence.final for r in included if r.ceiling.state != "insufficient"]
    grade = max(asserted, key=LEVELS.index, default="very_low")
    evaluation = " ".join(
        r.ceiling.statement[:1].lower() + r.ceiling.statement[1:] for r in rows if r.role == "qualifier"
    )
    sentences = [p.statement + "." for p in parts] or ["No scale aspect has evidence."]
    sentences += [frontier_reach(included, reach_positions, models)]
    sentences += [f"Evaluation: {evaluation}" + ("" if evaluation.endswith(".") else ".")] if evaluation else []
    sentences += [safety_clause(safety)]
    by_row = ", ".join(f"{p.aspect_key} {p.confidence.replace('_', ' ')}" for p in parts)
    sentences += [f"{grade.replace('_', ' ').capitalize()} confidence" + (f" ({by_row})." if by_row else ".")]
    key_evidence, path_forward = citations
    return OverallRow(
        parts=parts,
        confidence=grade,
        aspects_included=sorted(r.aspect_key for r in included),
        aspects_excluded=excluded,
        key_evidence=key_evidence,
        path_forward=path_forward,
        statement=" ".join(s for s in sentences if s),
    )
