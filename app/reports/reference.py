"""The source report's own closing tables as a reference assessment, and the row-by-row comparison.

data/reference/seed-report-tables.yaml holds both tables as the report states them. A computed
ceiling agrees with a stated one when the stated number (or range) falls inside the computed 90%
interval; it disagrees when they do not overlap; the row is not comparable when either side has
no number. A computed bound ("below the smallest scale tested", "not reached up to") or "not
established" is compared as the bound it is. The scale table is compared cell by cell: each of the
report's bands against each aspect its table speaks of, so a matching cell is never called a mismatch.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import yaml

from app.config import PROJECT_ROOT

REFERENCE_FILE = PROJECT_ROOT / "data" / "reference" / "seed-report-tables.yaml"
STATUS_WORDS = {
    "tractable": "tractable",
    "partial": "partial",
    "fragmentary": "fragmentary",
    "no_evidence": "no evidence",
}


@lru_cache(maxsize=1)
def _read(path: str) -> dict[str, Any]:
    return yaml.safe_load(open(path, encoding="utf-8"))  # noqa: SIM115


def load_reference() -> dict[str, Any]:
    """The reference tables (empty when the file is missing)."""
    if not REFERENCE_FILE.exists():
        return {}
    return _read(str(REFERENCE_FILE))


def _p(value: float | None) -> str:
    if value is None:
        return "?"
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if value >= size:
            return f"{value / size:.3g}{unit}"
    return f"{value:.3g}"


def _stated_range(row: dict[str, Any]) -> tuple[float, float] | None:
    if row.get("params") is None:
        return None
    return float(row.get("params_low") or row["params"]), float(row.get("params_high") or row["params"])


def _decades(a: float, b: float) -> float:
    return abs(math.log10(a) - math.log10(b))


def compare_ceiling(row: dict[str, Any], ceiling: dict[str, Any] | None) -> tuple[str, str]:
    """Verdict and reason for one ceiling-table row against the computed ceiling."""
    stated = _stated_range(row)
    if ceiling is None:
        return "not comparable", "the assessment has no such row"
    if stated is None:
        return "not comparable", "the report states no parameter count for this row"
    lo, hi = stated
    shown = _p(lo) if lo == hi else f"{_p(lo)}-{_p(hi)}"
    state = ceiling.get("state")
    if state in ("insufficient", "not_applicable"):
        return (
            "not comparable",
            f"the report says {shown}; the computed row has no ceiling ({ceiling.get('statement', 'no ceiling')})",
        )
    if state == "not_established":
        return "disagree", f"the report says {shown}; computed: {ceiling.get('statement', 'not established')}"
    if state == "below_range":
        smallest = ceiling.get("bound_params") or ceiling.get("smallest_observed_params")
        if lo >= smallest:
            return "disagree", f"the report says {shown}; computed: below the smallest scale tested, {_p(smallest)}"
        return "agree", f"the report says {shown}; computed: below {_p(smallest)}, so no contradiction"
    if state == "not_reached":
        largest = ceiling.get("largest_observed_params")
        if largest is not None and hi < largest:
            return "disagree", f"the report says {shown}; computed: no ceiling up to {_p(largest)} (largest tested)"
        return "agree", f"the report says {shown}; computed: not reached up to {_p(largest)}, so no contradiction"
    c_lo, c_hi, c = ceiling["params_low"], ceiling["params_high"], ceiling["params"]
    computed = f"computed {_p(c)} (90% interval {_p(c_lo)} to {_p(c_hi)})"
    if hi >= c_lo and lo <= c_hi:
        return "agree", f"the report's {shown} lies within the {computed}"
    if lo > c_hi:
        edge, gap, direction = c_hi, _decades(lo, c_hi), "above the upper end"
    else:
        edge, gap, direction = c_lo, _decades(c_lo, hi), "below the lower end"
    return "disagree", (
        f"the report's {shown} is {gap:.1f} orders of magnitude {direction} ({_p(edge)}) of the {computed}"
    )


def ceiling_comparison(reference: dict[str, Any], assessment: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per row of the report's ceiling table, plus computed rows the report lacks."""
    rows = {a["aspect_key"]: a for a in assessment.get("aspects", [])}
    overall = assessment.get("overall", {})
    out, seen = [], set()
    for row in (reference.get("ceiling_table") or {}).get("rows", []):
        key = row["aspect"]
        seen.add(key)
        computed = overall if key == "overall" else rows.get(key)
        verdict, why = compare_ceiling(row, computed and computed.get("ceiling"))
        grade = (computed or {}).get("confidence")
        grade = grade.get("final") if isinstance(grade, dict) else grade
        if row.get("confidence") and grade:
            why += f"; confidence: report {row['confidence']}, computed {grade.replace('_', ' ')}"
        statement = (computed or {}).get("ceiling", {}).get("statement", "")
        out.append(
            {
                "key": key,
                "label": row["label"],
                "stated": row["current_ceiling"],
                "computed": statement,
                "verdict": verdict,
                "why": why,
                "params_basis": row.get("params_basis", ""),
            }
        )
    for key, row in rows.items():
        if key not in seen:
            out.append(
                {
                    "key": key,
                    "label": row["aspect_name"],
                    "stated": "(no row in the report)",
                    "computed": row["ceiling"]["statement"],
                    "verdict": "not comparable",
                    "why": "the report's table has no row for this aspect",
                    "params_basis": "",
                }
            )
    return out


def scale_comparison(reference: dict[str, Any], assessment: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per cell (band x aspect) of the report's scale table: stated status against the computed one."""
    table = reference.get("scale_table") or {}
    aspects = table.get("compared_aspects") or [a["aspect_key"] for a in assessment.get("aspects", [])]
    cells = {(c["aspect_key"], c["band_key"]): c for c in assessment.get("scale_table", [])}
    out = []
    for row in table.get("rows", []):
        for aspect in aspects:
            cell = cells.get((aspect, row["band"]))
            status = cell["status"] if cell else "no_evidence"
            computed = STATUS_WORDS.get(status, status)
            if status == "no_evidence":
                verdict, why = "not comparable", f"no computed evidence for {aspect} in this band"
            elif status == row["status"]:
                verdict, why = "agree", f"report {STATUS_WORDS[row['status']]}; computed {computed}"
            else:
                detail = (
                    ""
                    if cell is None
                    else f" (interval {cell['low']:.2f}-{cell['high']:.2f}, weight {cell['weight']:.2f})"
                )
                verdict, why = "disagree", f"report {STATUS_WORDS[row['status']]}; computed {computed}{detail}"
            out.append(
                {
                    "key": f"{row['band']}:{aspect}",
                    "label": f"{row['label']}: {aspect}",
                    "stated": row["status_text"],
                    "computed": computed,
                    "barriers": row.get("barriers", ""),
                    "verdict": verdict,
                    "why": why,
                }
            )
    return out
