"""What a report says, computed from a snapshot's stored dicts: the summary in words, citations,
the claims of each research question with their critiques, the tables and the reference comparison.
Shared by the HTML, Markdown, JSON and CSV forms so that they never disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from app.evidence.agreement import POOR
from app.reports.bibliography import DEFAULT_STYLE, formatted
from app.reports.reference import ceiling_comparison, scale_comparison
from app.text import shorten

# Embedding and override controls of the Unicode bidirectional algorithm (LRE..RLO, LRI..PDI, marks).
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
STANCE_ORDER = {"undermines": 0, "mixed": 1, "neutral": 2, "supports": 3}


@dataclass
class ReportDocument:
    """One report: the Assessment and the captured evidence (as stored), its metadata and its changes."""

    assessment: dict[str, Any]
    evidence: dict[str, Any]
    meta: dict[str, Any]
    changes: dict[str, Any] | None = None
    previous: dict[str, Any] | None = field(default=None)
    trajectory: dict[str, Any] | None = None  # app/reports/trajectory.py: the ceilings up to this report
    previous_assessment: dict[str, Any] | None = None  # the Assessment of `previous`, for directions of change


def visible_bidi(value: str) -> str:
    """Bidi controls shown as [U+XXXX], for places that cannot isolate them (plot labels, Markdown)."""
    return BIDI_CONTROLS.sub(lambda m: f"[U+{ord(m.group()):04X}]", value)


def words(value: str | None) -> str:
    return (value or "").replace("_", " ")


def params_text(value: float | None) -> str:
    """7e10 -> '70B'."""
    if value is None:
        return "?"
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if value >= size:
            return f"{value / size:.3g}{unit}"
    return f"{value:.3g}"


def impacts(counts: dict[str, int] | None) -> str:
    """Safety impact counts in words, zeros and 'not applicable' left out: '2 monitoring aid, 1 none'."""
    named = [f"{n} {words(k)}" for k, n in (counts or {}).items() if n and k != "not_applicable"]
    return ", ".join(named) or "no result"


def _clause(text: str) -> str:
    """An engine statement as a clause of a longer sentence (its own full stop dropped)."""
    return text.strip().rstrip(".")


LEADS = {  # how the summary introduces each state's statement; the others stand alone
    "estimated": "validated use stops at",
    "below_range": "validated use stops",
    "not_reached": "validated use is",
    "not_established": "validated use is",
}


def aspect_sentence(row: dict[str, Any]) -> str:
    """One aspect in the summary: its statement with its grade, then its reach where it is a separate finding."""
    ceiling, reach = row["ceiling"], row.get("reach_ceiling") or {}
    grade = words(row["confidence"]["final"])
    name = row["aspect_name"]
    role = row.get("role", "scale")
    if role == "impact":
        return f"{name}: reported as measured impact by band (below), not as a ceiling; {grade} confidence."
    applied = ""
    if reach.get("statement") and reach.get("state") != "not_applicable":  # evaluation has no reach of its own
        said = _clause(reach["statement"])
        applied = f" The methods have been applied: {said}." if reach["state"] in LEADS else f" Reach: {said}."
    qualifier = " It qualifies the other rows rather than capping them." if role == "qualifier" else ""
    if ceiling["state"] == "insufficient":
        return f"{name}: too little sized evidence for a ceiling ({_clause(ceiling['statement'])}).{applied}{qualifier}"
    lead = LEADS.get(ceiling["state"])
    said = _clause(ceiling["statement"]) if lead is None else f"{lead} {_clause(ceiling['statement'])}"
    return f"{name}: {said}; {grade} confidence.{applied}{qualifier}"


STATE_PHRASES = (  # (states, singular, plural): what the aspects' ceilings say, in the summary's words
    (
        ("estimated",),
        "has a ceiling located within the sized evidence",
        "have a ceiling located within the sized evidence",
    ),
    (("below_range", "not_reached"), "has only a bound", "have only a bound"),
    (("no_scale_dependence",), "shows no dependence on scale", "show no dependence on scale"),
    (("not_established",), "has no validated use at any scale tested", "have no validated use at any scale tested"),
    (("insufficient",), "has too little sized evidence for a ceiling", "have too little sized evidence for a ceiling"),
)


def states_sentence(aspects: list[dict[str, Any]]) -> str:
    """'Of the 3 aspects fitted for a ceiling, 1 has a ceiling located within the sized evidence and 2 have only
    a bound; safety is counted as measured impact, not fitted.' Agreement in number, zeros left out."""
    fitted = [a for a in aspects if a.get("role", "scale") != "impact"]
    states = [a["ceiling"]["state"] for a in fitted]
    parts = []
    for wanted, one, many in STATE_PHRASES:
        k = sum(states.count(s) for s in wanted)
        if k:
            parts.append(f"{k} {one if k == 1 else many}")
    listed = ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else "".join(parts)
    noun = "aspect" if len(fitted) == 1 else "aspects"
    text = f"Of the {len(fitted)} {noun} fitted for a ceiling, {listed}." if parts else "No aspect is fitted."
    impact = [a["aspect_name"] for a in aspects if a.get("role") == "impact"]
    if impact:
        text += f" {', '.join(impact)}: counted as measured impact, not fitted."
    return text


def summary(assessment: dict[str, Any], evidence: dict[str, Any]) -> list[str]:
    """The summary in words, every figure taken from the assessment."""
    aspects = assessment.get("aspects", [])
    overall = assessment.get("overall", {})
    n = evidence.get("totals") or counts(evidence)
    lines = [
        f"This report weighs {n['claims']} claims ({n['retracted']} retracted) from {n['sources']} "
        f"sources, {n['results']} empirical results and {n['critiques']} critiques. {states_sentence(aspects)}"
    ]
    if overall.get("limiting_aspect"):
        lo = overall["ceiling"]
        band = overall.get("band_ceiling")
        lines.append(
            f"Overall, validated mechanistic accounts are limited by {overall['limiting_aspect']}: "
            f"{lo['statement']}; the overall confidence is {words(overall.get('confidence'))}, the lowest among "
            f"{len(overall.get('aspects_included', []))} scale aspects. "
            + (
                f"In every scale aspect, each band from the smallest with evidence up to {band} is at least partial."
                if band
                else "In at least one scale aspect even the smallest band with evidence is not shown to be at least "
                "partial, so no band is at least partial in all of them."
            )
        )
    else:
        lines.append(overall.get("statement", ""))
    lines.extend(aspect_sentence(row) for row in aspects)
    if assessment.get("safety", {}).get("statement"):
        lines.append("Measured safety effects: " + assessment["safety"]["statement"])
    publication = evidence.get("publication") or {}
    if publication.get("reviewed_only"):
        lines.append(REVIEWED_ONLY_SENTENCE)
    return lines


def counts(evidence: dict[str, Any]) -> dict[str, int]:
    """The evidence a report weighs, counted from the captured rows (a store past the capture's bound stores
    its `totals` instead: app/reports/capture.py)."""
    claims = evidence.get("claims", [])
    return {
        "claims": len(claims),
        "retracted": sum(1 for c in claims if c.get("status") == "retracted"),
        **{kind: len(evidence.get(kind, [])) for kind in ("sources", "results", "critiques")},
    }


REVIEWED_ONLY_SENTENCE = (
    "Only reviewed claims are weighed: drafts, claims in review and rejected claims are left out (how many is not "
    "said, so a reader learns nothing of unpublished work)."
)


def bibliography(evidence: dict[str, Any]) -> tuple[list[dict], dict[str, int]]:
    """Sources in key order, numbered from 1, each with its entry in the report's CSL style
    (`html`, `text`), and key -> number for citations."""
    sources = sorted(evidence.get("sources", []), key=lambda s: s["key"])
    entries = formatted(sources, evidence.get("citation_style") or DEFAULT_STYLE) if sources else []
    shown = [
        {**s, "entry_html": Markup(e["html"]), "entry_text": e["text"]} for s, e in zip(sources, entries, strict=True)
    ]
    return shown, {s["key"]: n for n, s in enumerate(sources, 1)}


def source_name(source: dict[str, Any]) -> str:
    """A source as a reader cites it in running text: 'Smith et al. (2025)', or its title when it has no authors."""
    authors = [a for a in source.get("authors") or [] if a.strip() and a.strip() != "et al."]
    year = f" ({source['year']})" if source.get("year") else ""
    if not authors:
        return f"{shorten(source.get('title') or source['key'], 60)}{year}"
    family = [a.split(",")[0].strip() if "," in a else a.split()[-1] for a in authors[:2]]
    if len(authors) > 2:
        return f"{family[0]} et al.{year}"
    return f"{' and '.join(family)}{year}"


def questions(evidence: dict[str, Any]) -> list[dict[str, Any]]:
    """Each research question with its claims (undermining first) and the critiques against each claim."""
    against: dict[str, list[dict]] = {}
    for critique in evidence.get("critiques", []):
        against.setdefault(critique["target_claim_key"], []).append(critique)
    out = []
    for q in sorted(evidence.get("questions", []), key=lambda q: q["number"]):
        claims = [c for c in evidence.get("claims", []) if q["key"] in c.get("questions", [])]
        claims.sort(key=lambda c: (STANCE_ORDER.get(c["stance"], 9), -c["confidence"], c["key"]))
        more = (evidence.get("question_totals") or {}).get(q["key"], len(claims)) - len(claims)
        out.append({**q, "claims": [{**c, "critiques": against.get(c["key"], [])} for c in claims], "more": more})
    return out


def scale_rows(assessment: dict[str, Any]) -> list[dict[str, Any]]:
    """The scale table as aspect rows with one cell per band, in band order; safety (measured impact, counted
    in its own table) has no P(works) status, whatever an older snapshot holds."""
    cells = {(c["aspect_key"], c["band_key"]): c for c in assessment.get("scale_table", [])}
    bands = [b["key"] for b in assessment.get("bands", [])]
    return [
        {"aspect": a, "cells": [cells.get((a["aspect_key"], b)) for b in bands]}
        for a in assessment.get("aspects", [])
        if a.get("role") != "impact"
    ]


def context(doc: ReportDocument) -> dict[str, Any]:
    """Everything the templates need."""
    sources, numbers = bibliography(doc.evidence)
    reference = doc.evidence.get("reference") or {}
    return {
        "a": doc.assessment,
        "ev": doc.evidence,
        "meta": doc.meta,
        "changes": doc.changes,
        "previous": doc.previous,
        "summary": summary(doc.assessment, doc.evidence),
        "sources": sources,
        "cite": numbers,
        "source_names": {source["key"]: source_name(source) for source in sources},
        "questions": questions(doc.evidence),
        "scale_rows": scale_rows(doc.assessment),
        "reference": reference,
        "ceiling_comparison": ceiling_comparison(reference, doc.assessment, doc.evidence) if reference else [],
        "scale_comparison": scale_comparison(reference, doc.assessment) if reference else [],
        "aspect_names": {a["aspect_key"]: a["aspect_name"] for a in doc.assessment.get("aspects", [])},
        "impact_keys": {a["aspect_key"] for a in doc.assessment.get("aspects", []) if a.get("role") == "impact"},
        "band_names": {b["key"]: b["name"] for b in doc.assessment.get("bands", [])},
        "left_out_sentence": REVIEWED_ONLY_SENTENCE,
        "poor_below": POOR,
    }


def csv_rows(assessment: dict[str, Any]) -> list[dict[str, Any]]:
    """Both tables in one CSV shape: a `table` column tells the ceiling rows from the scale cells."""
    rows = []
    for r in [
        *assessment.get("aspects", []),
        {**assessment.get("overall", {}), "aspect_key": "overall", "aspect_name": "Overall"},
    ]:
        c, grade = r.get("ceiling", {}), r.get("confidence")
        reasons = grade.get("reasons", []) if isinstance(grade, dict) else []
        rows.append(
            {
                "table": "ceiling",
                "aspect": r["aspect_key"],
                "aspect_name": r.get("aspect_name", ""),
                "band": "",
                "ceiling_state": c.get("state", ""),
                "ceiling_params": c.get("params"),
                "ceiling_params_low": c.get("params_low"),
                "ceiling_params_high": c.get("params_high"),
                "ceiling": c.get("statement", ""),
                "reach": (r.get("reach_ceiling") or {}).get("statement", ""),
                "role": r.get("role", "overall"),
                "band_ceiling": r.get("band_ceiling") or "",
                "confidence": words(grade.get("final") if isinstance(grade, dict) else grade),
                "confidence_reasons": " ".join(reasons),
                "key_evidence": "; ".join(f"{e['claim_key']} ({e['source_key']})" for e in r.get("key_evidence", [])),
                "path_forward": "; ".join(f"{e['claim_key']} ({e['source_key']})" for e in r.get("path_forward", [])),
                "status": "",
                "mean": None,
                "low": None,
                "high": None,
                "barriers": "",
            }
        )
    for cell in assessment.get("scale_table", []):
        rows.append(
            {
                "table": "scale",
                "aspect": cell["aspect_key"],
                "aspect_name": "",
                "band": cell["band_key"],
                "ceiling_state": "",
                "ceiling_params": None,
                "ceiling_params_low": None,
                "ceiling_params_high": None,
                "ceiling": "",
                "reach": "",
                "role": "",
                "band_ceiling": "",
                "confidence": "",
                "confidence_reasons": "",
                "key_evidence": "",
                "path_forward": "",
                "status": cell["status"],
                "mean": cell["mean"],
                "low": cell["low"],
                "high": cell["high"],
                "barriers": "; ".join(f"{b['key']} ({b.get('source_key') or ''})" for b in cell.get("barriers", [])),
            }
        )
    return rows
