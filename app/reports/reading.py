"""The reading path's view model: the answer first (one card per aspect, the Summary of Findings), the flat
tables dashboards read, and the changes between two reports in words.

Everything here reads the Assessment as stored (a dict) and takes the engine's statements as they are; no
ceiling is recomputed. Engine versions differ in a few fields (the overall row, the standards, the rate of a
row with no fall shown); they are read with .get so that this layer is the one place that adapts.
"""

from __future__ import annotations

import math
from typing import Any

from app.reports.content import words

GRADE_SIGNS = {"high": "⊕⊕⊕⊕", "moderate": "⊕⊕⊕◯", "low": "⊕⊕◯◯", "very_low": "⊕◯◯◯"}
DOMAIN_WORDS = {
    "risk_of_bias": "Risk of bias",
    "inconsistency": "Inconsistency",
    "indirectness": "Indirectness",
    "imprecision": "Imprecision",
    "publication_bias": "Publication bias",
}
ROLE_WORDS = {
    "scale": "Validity by scale",
    "qualifier": "Where explanations are checked (qualifies the other rows)",
    "impact": "Measured safety impact",
}
# A bound below a value says less than the value, a bound above it says more.
STATE_ORDER = {"not_established": 0, "below_range": 1, "estimated": 2, "not_reached": 3}
ARROWS = {"up": "↑", "down": "↓", "same": "→", "changed": "↕", "new": "•"}


def grade_of(row: dict[str, Any]) -> str:
    grade = row.get("confidence")
    return (grade.get("final") if isinstance(grade, dict) else grade) or "very_low"


def main_reason(row: dict[str, Any]) -> str:
    """The one line behind a grade: an analyst's override, else the GRADE domain that took off most."""
    grade = row.get("confidence")
    if not isinstance(grade, dict):
        return ""
    if grade.get("override"):
        return f"Analyst's override (suggested {words(grade.get('suggested'))}): {grade.get('override_reason') or ''}"
    domains = [d for d in grade.get("domains") or [] if d.get("downgrade", 0) > 0]
    if domains:
        top = max(domains, key=lambda d: d["downgrade"])  # the first of equals, in GRADE's order
        return f"{DOMAIN_WORDS.get(top['domain'], words(top['domain']))}: {top['reason']}"
    return (grade.get("reasons") or ["No domain takes a level off."])[0]


def shows(row: dict[str, Any], assessment: dict[str, Any]) -> str:
    """What the evidence shows for a row, in the engine's words (safety: its measured impact)."""
    if row.get("role") == "impact":
        return (assessment.get("safety") or {}).get("statement") or row["ceiling"].get("statement", "")
    return row["ceiling"].get("statement", "")


def evidence_counts(row: dict[str, Any]) -> tuple[int, int]:
    """(sources, results) behind a row."""
    counts = row.get("counts") or {}
    results = sum(counts.get(k, 0) for k in ("results_in_fit", "results_without_size", "results_baseline"))
    return counts.get("sources", 0), results


def _position(ceiling: dict[str, Any]) -> float | None:
    """Where a row's statement puts validated use, as the number it shows (a ceiling or a bound)."""
    value = ceiling.get("params") if ceiling.get("state") == "estimated" else ceiling.get("bound_params")
    return math.log10(value) if value else None


def direction(row: dict[str, Any], before: dict[str, Any] | None) -> str:
    """up, down, same, changed (not comparable) or new, judged by the values the two statements show."""
    if before is None:
        return "new"
    now, then = row.get("ceiling") or {}, before.get("ceiling") or {}
    if now.get("statement") == then.get("statement"):
        return "same"
    x_now, x_then = _position(now), _position(then)
    if now.get("state") == then.get("state") == "no_scale_dependence" and now.get("rate") is not None:
        x_now, x_then = now.get("rate"), then.get("rate")
    elif x_now is None or x_then is None or now.get("state") not in STATE_ORDER or then.get("state") not in STATE_ORDER:
        return "changed"
    if abs(x_now - x_then) > 1e-9:
        return "up" if x_now > x_then else "down"
    order = STATE_ORDER.get(now.get("state"), 0) - STATE_ORDER.get(then.get("state"), 0)
    return "up" if order > 0 else "down" if order < 0 else "same"


def _direction_words(kind: str, before: dict[str, Any] | None, since: str | None) -> str:
    if kind == "new":
        return "first report with this aspect" if since else "no earlier report to compare with"
    was = (before or {}).get("ceiling", {}).get("statement", "")
    return {
        "up": f"higher than in the report of {since}, which said: {was}",
        "down": f"lower than in the report of {since}, which said: {was}",
        "same": f"unchanged since the report of {since}",
        "changed": f"changed since the report of {since}, which said: {was}",
    }[kind]


def cards(assessment: dict[str, Any], previous: dict[str, Any] | None = None, since: str | None = None) -> list[dict]:
    """One card per aspect: its statement, grade with its main reason, direction since `previous`, counts."""
    before = {r["aspect_key"]: r for r in (previous or {}).get("aspects", [])} if previous else {}
    out = []
    for row in assessment.get("aspects", []):
        grade = grade_of(row)
        old = before.get(row["aspect_key"]) if previous else None
        kind = direction(row, old) if previous else "new"
        sources, results = evidence_counts(row)
        reach = (row.get("reach_ceiling") or {}).get("statement") if row.get("role", "scale") == "scale" else None
        out.append(
            {
                "key": row["aspect_key"],
                "name": row.get("aspect_name") or row["aspect_key"],
                "role": row.get("role", "scale"),
                "role_words": ROLE_WORDS.get(row.get("role", "scale"), ""),
                "statement": shows(row, assessment),
                "reach": reach,
                "grade": grade,
                "grade_words": words(grade),
                "grade_sign": GRADE_SIGNS.get(grade, ""),
                "reason": main_reason(row),
                "direction": kind,
                "arrow": ARROWS[kind],
                "direction_words": _direction_words(kind, old, since),
                "sources": sources,
                "results": results,
                "row": row,
            }
        )
    return out


def findings(assessment: dict[str, Any]) -> list[dict[str, Any]]:
    """The Summary of Findings: aspect, what the evidence shows, sources and results, grade, why."""
    return [
        {
            k: card[k]
            for k in (
                "key",
                "name",
                "role_words",
                "statement",
                "sources",
                "results",
                "grade",
                "grade_words",
                "grade_sign",
                "reason",
            )
        }
        for card in cards(assessment)
    ]


def headline(assessment: dict[str, Any]) -> str:
    """The overall row's statement: the programme as a whole, as the engine says it."""
    return (assessment.get("overall") or {}).get("statement", "")


def _keys(entries: list[dict[str, Any]] | None) -> str:
    return "; ".join(e["claim_key"] for e in entries or [])


def ceiling_csv_rows(assessment: dict[str, Any]) -> list[dict[str, Any]]:
    """The ceiling table flat, one row per aspect, for dashboards (GET /api/v1/assessment.csv)."""
    rows = []
    for row in assessment.get("aspects", []):
        ceiling, reach, grade = row.get("ceiling") or {}, row.get("reach_ceiling") or {}, row.get("confidence") or {}
        sources, results = evidence_counts(row)
        rows.append(
            {
                "aspect_key": row["aspect_key"],
                "aspect_name": row.get("aspect_name", ""),
                "role": row.get("role", "scale"),
                "statement": shows(row, assessment),
                "state": ceiling.get("state", ""),
                **{k: ceiling.get(k) for k in ("params", "params_low", "params_high", "bound_params")},
                **{k: ceiling.get(k) for k in ("rate", "rate_low", "rate_high")},
                "reach_statement": reach.get("statement", ""),
                "reach_state": reach.get("state", ""),
                "band_ceiling": row.get("band_ceiling") or "",
                "confidence": grade_of(row),
                "confidence_suggested": grade.get("suggested", ""),
                "confidence_override": grade.get("override") or "",
                "main_reason": main_reason(row),
                "sources": sources,
                "results": results,
                "key_evidence": _keys(row.get("key_evidence")),
                "path_forward": _keys(row.get("path_forward")),
                "fingerprint": assessment.get("fingerprint", ""),
            }
        )
    return rows


def band_csv_rows(assessment: dict[str, Any]) -> list[dict[str, Any]]:
    """The scale table flat, one row per aspect and band (GET /api/v1/assessment/bands.csv)."""
    bands = {b["key"]: b for b in assessment.get("bands", [])}
    names = {a["aspect_key"]: a.get("aspect_name", "") for a in assessment.get("aspects", [])}
    return [
        {
            "aspect_key": cell["aspect_key"],
            "aspect_name": names.get(cell["aspect_key"], ""),
            "band_key": cell["band_key"],
            "band_name": bands.get(cell["band_key"], {}).get("name", ""),
            "min_params": bands.get(cell["band_key"], {}).get("min_params"),
            "max_params": bands.get(cell["band_key"], {}).get("max_params"),
            "status": cell["status"],
            "mean": cell.get("mean"),
            "low": cell.get("low"),
            "high": cell.get("high"),
            "results": cell.get("n_results", 0),
            "barriers": len(cell.get("barriers") or []),
            "fingerprint": assessment.get("fingerprint", ""),
        }
        for cell in assessment.get("scale_table", [])
    ]


def as_stated(value: float) -> str:
    """A parameter count rounded as the engine's statements round it: 2.45e9 -> '2.4B', 7.06e10 -> '71B'."""
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if value >= size:
            scaled = value / size
            return f"{scaled:.2g}{unit}" if scaled < 10 else f"{scaled:.0f}{unit}"
    return f"{value:.2g}"


def shown_value(ceiling: dict[str, Any]) -> str:
    """The number a statement shows ('about 781M', 'below 2.4B', 'up to 70B'), for a change's summary."""
    state = ceiling.get("state")
    if state == "estimated" and ceiling.get("params"):
        return f"about {as_stated(ceiling['params'])}"
    if state == "below_range" and ceiling.get("bound_params"):
        return f"below {as_stated(ceiling['bound_params'])}"
    if state == "not_reached" and ceiling.get("bound_params"):
        return f"not reached up to {as_stated(ceiling['bound_params'])}"
    return words(state)
