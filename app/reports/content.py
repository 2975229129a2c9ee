"""What a report says, computed from a snapshot's stored dicts: the summary in words, citations,
the claims of each research question with their critiques, the tables and the reference comparison.
Shared by the HTML, Markdown, JSON and CSV forms so that they never disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.reports.reference import ceiling_comparison, scale_comparison

# Embedding and override controls of the Unicode bidirectional algorithm (LRE..RLO, LRI..PDI, marks).
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
STATUS_WORDS = {
    "tractable": "tractable",
    "partial": "partial",
    "fragmentary": "fragmentary",
    "no_evidence": "no evidence",
}
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


def _sentence_for_row(row: dict[str, Any]) -> str:
    ceiling = row["ceiling"]
    grade = words(row["confidence"]["final"])
    name = row["aspect_name"]
    if ceiling["state"] == "estimated":
        return (
            f"{name}: P(works) falls below one half at about {params_text(ceiling['params'])} parameters "
            f"(90% interval {params_text(ceiling['params_low'])} to {params_text(ceiling['params_high'])}), "
            f"{grade} confidence."
        )
    if ceiling["state"] == "not_reached":
        return (
            f"{name}: no ceiling reached up to {params_text(ceiling['largest_observed_params'])} "
            f"(the largest model with evidence), {grade} confidence."
        )
    return f"{name}: too little sized evidence for a ceiling ({ceiling['statement']})."


def summary(assessment: dict[str, Any], evidence: dict[str, Any]) -> list[str]:
    """The summary in words, every figure taken from the assessment."""
    aspects = assessment.get("aspects", [])
    overall = assessment.get("overall", {})
    states = [a["ceiling"]["state"] for a in aspects]
    claims = evidence.get("claims", [])
    retracted = sum(1 for c in claims if c.get("status") == "retracted")
    lines = [
        f"This report weighs {len(claims)} claims ({retracted} retracted) from {len(evidence.get('sources', []))} "
        f"sources, {len(evidence.get('results', []))} empirical results and {len(evidence.get('critiques', []))} "
        f"critiques. Of {len(aspects)} aspects, {states.count('estimated')} have an estimated ceiling, "
        f"{states.count('not_reached')} none within the evidence and {states.count('insufficient')} too little "
        "evidence for one."
    ]
    if overall.get("limiting_aspect"):
        lo = overall["ceiling"]
        band = overall.get("band_ceiling")
        lines.append(
            f"The weakest link is {overall['limiting_aspect']}, so the overall ceiling is {lo['statement']}; "
            f"the overall confidence is {words(overall.get('confidence'))}, the lowest among "
            f"{len(overall.get('aspects_included', []))} aspects. "
            + (
                f"The largest scale band where the methods still work more often than not is {band}."
                if band
                else "No scale band has the methods working more often than not in every aspect."
            )
        )
    else:
        lines.append(overall.get("statement", ""))
    lines.extend(_sentence_for_row(row) for row in aspects)
    if assessment.get("safety", {}).get("statement"):
        lines.append("Measured safety effects: " + assessment["safety"]["statement"])
    return lines


def bibliography(evidence: dict[str, Any]) -> tuple[list[dict], dict[str, int]]:
    """Sources in key order, numbered from 1, and key -> number for citations."""
    sources = sorted(evidence.get("sources", []), key=lambda s: s["key"])
    return sources, {s["key"]: n for n, s in enumerate(sources, 1)}


def questions(evidence: dict[str, Any]) -> list[dict[str, Any]]:
    """Each research question with its claims (undermining first) and the critiques against each claim."""
    against: dict[str, list[dict]] = {}
    for critique in evidence.get("critiques", []):
        against.setdefault(critique["target_claim_key"], []).append(critique)
    out = []
    for q in sorted(evidence.get("questions", []), key=lambda q: q["number"]):
        claims = [c for c in evidence.get("claims", []) if q["key"] in c.get("questions", [])]
        claims.sort(key=lambda c: (STANCE_ORDER.get(c["stance"], 9), -c["confidence"], c["key"]))
        out.append({**q, "claims": [{**c, "critiques": against.get(c["key"], [])} for c in claims]})
    return out


def scale_rows(assessment: dict[str, Any]) -> list[dict[str, Any]]:
    """The scale table as aspect rows with one cell per band, in band order."""
    cells = {(c["aspect_key"], c["band_key"]): c for c in assessment.get("scale_table", [])}
    bands = [b["key"] for b in assessment.get("bands", [])]
    return [
        {"aspect": a, "cells": [cells.get((a["aspect_key"], b)) for b in bands]} for a in assessment.get("aspects", [])
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
        "questions": questions(doc.evidence),
        "scale_rows": scale_rows(doc.assessment),
        "reference": reference,
        "ceiling_comparison": ceiling_comparison(reference, doc.assessment) if reference else [],
        "scale_comparison": scale_comparison(reference, doc.assessment) if reference else [],
        "aspect_names": {a["aspect_key"]: a["aspect_name"] for a in doc.assessment.get("aspects", [])},
        "band_names": {b["key"]: b["name"] for b in doc.assessment.get("bands", [])},
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
