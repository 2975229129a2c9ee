"""The source report's own closing tables as a reference assessment, and the row-by-row comparison.

data/reference/seed-report-tables.yaml holds both tables as the report states them. Verdicts (docs/reports.md):
- agree: the stated number lies inside the computed 90% interval, or the stated status is the computed one;
- consistent, not confirmed: the computed side is a bound the stated number does not contradict, but nothing
  tested places it ("not reached up to 70B" beside a stall at 70B: no evidence above 70B shows the stall);
- cannot tell: the evidence cannot separate the two (a cell whose 90% interval reaches both statuses, or no fall
  with scale shown, which neither places nor refutes a ceiling);
- disagree: they do not overlap; the reasons follow (reach against validity, the basis of the report's number,
  losses to simple baselines, the critiques recorded of the report's own claims), not only two numbers;
- not comparable: either side has nothing to compare.
The scale table is compared cell by cell: each of the report's bands against each aspect its table speaks of.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import yaml

from app.config import PROJECT_ROOT
from app.text import shorten

REFERENCE_FILE = PROJECT_ROOT / "data" / "reference" / "seed-report-tables.yaml"
AGREE, CONSISTENT, CANNOT_TELL, DISAGREE, NOT_COMPARABLE = (
    "agree",
    "consistent, not confirmed",
    "cannot tell",
    "disagree",
    "not comparable",
)
STATUS_RANK = {"fragmentary": 0, "partial": 1, "tractable": 2}
REASONS_SHOWN = 3
STATUS_WORDS = {
    "tractable": "tractable",
    "partial": "partial",
    "fragmentary": "fragmentary",
    "too_little_evidence": "too little evidence",
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
    """Verdict and the numbers' reason for one ceiling-table row against the computed ceiling."""
    stated = _stated_range(row)
    if ceiling is None:
        return NOT_COMPARABLE, "the assessment has no such row"
    if stated is None:
        return NOT_COMPARABLE, "the report states no parameter count for this row"
    lo, hi = stated
    shown = _p(lo) if lo == hi else f"{_p(lo)}-{_p(hi)}"
    state = ceiling.get("state")
    if state in ("insufficient", "not_applicable"):
        return (
            NOT_COMPARABLE,
            f"the report says {shown}; the computed row has no ceiling ({ceiling.get('statement', 'no ceiling')})",
        )
    if state == "not_established":
        return DISAGREE, f"the report says {shown}; computed: {ceiling.get('statement', 'not established')}"
    if state == "no_scale_dependence":
        return CANNOT_TELL, (
            f"the report says {shown}; computed: {ceiling.get('statement', 'no dependence on scale shown')}: "
            "the evidence does not show P(works) falling with scale, so it neither places nor refutes a ceiling"
        )
    if state == "below_range":
        smallest = ceiling.get("bound_params") or ceiling.get("smallest_observed_params")
        if lo >= smallest:
            return DISAGREE, f"the report says {shown}; computed: below the smallest scale tested, {_p(smallest)}"
        return CONSISTENT, (
            f"the report says {shown}; computed: below {_p(smallest)}, so no contradiction, but no evidence "
            f"below {_p(smallest)} places it"
        )
    if state == "not_reached":
        largest = ceiling.get("largest_observed_params")
        if largest is not None and hi < largest:
            return DISAGREE, f"the report says {shown}; computed: no ceiling up to {_p(largest)} (largest tested)"
        return CONSISTENT, (
            f"the report says {shown}; computed: not reached up to {_p(largest)}, so no contradiction, but no "
            f"evidence above {_p(largest)} shows the ceiling there"
        )
    c_lo, c_hi, c = ceiling["params_low"], ceiling["params_high"], ceiling["params"]
    computed = f"computed {_p(c)} (90% interval {_p(c_lo)} to {_p(c_hi)})"
    if hi >= c_lo and lo <= c_hi:
        return AGREE, f"the report's {shown} lies within the {computed}"
    if lo > c_hi:
        edge, gap, direction = c_hi, _decades(lo, c_hi), "above the upper end"
    else:
        edge, gap, direction = c_lo, _decades(c_lo, hi), "below the lower end"
    return DISAGREE, f"the report's {shown} is {gap:.1f} orders of magnitude {direction} ({_p(edge)}) of the {computed}"


def _listed(items: list[str]) -> str:
    more = len(items) - REASONS_SHOWN
    return "; ".join(items[:REASONS_SHOWN]) + (f"; and {more} more" if more > 0 else "")


def disagreement_reasons(
    row: dict[str, Any], computed: dict[str, Any], evidence: dict[str, Any], source: str | None
) -> list[str]:
    """Why the two sides differ, from the evidence: where the methods were applied (reach) against where they
    were validated, the basis of the report's number, losses to simple baselines, and the critiques recorded
    of the report's own claims on this aspect."""
    reasons = []
    stated = _stated_range(row)
    reach = computed.get("reach_ceiling") or {}
    reached = reach.get("largest_observed_params") or reach.get("bound_params")
    if stated and reached and reach.get("state") == "not_reached" and stated[0] <= reached:
        reasons.append(
            f"the report's figure is within reach (the methods were applied up to {_p(reached)}), where validity "
            "is not shown: reach is not validity"
        )
    if row.get("params_basis"):
        reasons.append(f"the report's number: {' '.join(str(row['params_basis']).split())}")
    losses = [c for c in computed.get("baseline_comparisons") or [] if c.get("mechanistic_won") is False]
    if losses:
        reasons.append(f"{len(losses)} loss(es) to simple baselines: {_listed([c['text'] for c in losses])}")
    aspect = row.get("aspect")
    own = {
        c["key"]
        for c in evidence.get("claims", [])
        if c.get("source_key") == source and (aspect == "overall" or aspect in (c.get("aspects") or []))
    }
    critiques = sorted(
        k["key"]
        for k in evidence.get("critiques", [])
        if k.get("target_claim_key") in own and k.get("kind") != "support" and k.get("status") != "rejected"
    )
    if critiques:
        reasons.append(f"{len(critiques)} standing critique(s) of the report's claims here: {_listed(critiques)}")
    return reasons


def compare_safety(row: dict[str, Any], safety: dict[str, Any] | None) -> tuple[str, str]:
    """The report's safety row (what it reads as: `impact`) against the engine's counts of measured effects."""
    if not safety or row.get("impact") != "baselines_ahead":
        return NOT_COMPARABLE, "the report states no measured impact to compare"
    mech, base = safety.get("mechanistic") or {}, safety.get("baseline") or {}
    mech_gain = mech.get("measured_improvement", 0)
    counts = (
        f"mechanistic methods: {mech_gain} measured improvement(s), {mech.get('monitoring_aid', 0)} monitoring "
        f"aid(s); baselines: {base.get('measured_improvement', 0)} measured improvement(s), "
        f"{base.get('monitoring_aid', 0)} monitoring aid(s)"
    )
    base_gain = base.get("measured_improvement", 0) + base.get("monitoring_aid", 0)
    if mech_gain == 0 and base_gain > mech.get("monitoring_aid", 0):
        return AGREE, f"the safety table agrees that baselines are ahead and nothing is guaranteed: {counts}"
    if mech_gain == 0 and base_gain == 0:
        return CANNOT_TELL, f"no measured effect on either side to rank them: {counts}"
    return DISAGREE, f"the safety table does not show baselines ahead: {counts}"


def ceiling_comparison(reference: dict[str, Any], assessment: dict[str, Any], evidence: dict | None = None) -> list:
    """One entry per row of the report's ceiling table, plus computed rows the report lacks."""
    rows = {a["aspect_key"]: a for a in assessment.get("aspects", [])}
    overall = assessment.get("overall", {})
    out, seen = [], set()
    for row in (reference.get("ceiling_table") or {}).get("rows", []):
        key = row["aspect"]
        seen.add(key)
        computed = overall if key == "overall" else rows.get(key)
        if (computed or {}).get("role") == "impact":
            verdict, why = compare_safety(row, assessment.get("safety"))
            statement = (assessment.get("safety") or {}).get("statement", "")
        else:
            verdict, why = compare_ceiling(row, computed and computed.get("ceiling"))
            statement = (computed or {}).get("ceiling", {}).get("statement", "")
            if verdict == DISAGREE and computed:
                why = "; ".join([why, *disagreement_reasons(row, computed, evidence or {}, reference.get("source"))])
        if row.get("narrative"):
            why += f"; {row['narrative']}"
        grade = (computed or {}).get("confidence")
        grade = grade.get("final") if isinstance(grade, dict) else grade
        if row.get("confidence") and grade:
            why += f"; confidence: report {row['confidence']}, computed {grade.replace('_', ' ')}"
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
                    "verdict": NOT_COMPARABLE,
                    "why": "the report's table has no row for this aspect",
                    "params_basis": "",
                }
            )
    return out


def compare_status(stated: str, cell: dict[str, Any] | None, settings: dict[str, Any]) -> tuple[str, str]:
    """A stated status against a computed cell. A cell's status says what its 90% interval rules out, so a
    stated status higher than the computed one is contradicted only when even the interval's upper end is below
    the stated status's floor; otherwise the interval reaches both and the evidence cannot tell them apart."""
    status = cell["status"] if cell else "no_evidence"
    computed = STATUS_WORDS.get(status, status)
    if status == "no_evidence":
        return NOT_COMPARABLE, "no computed evidence in this band"
    interval_text = f"90% interval {cell['low']:.2f}-{cell['high']:.2f}, weight {cell['weight']:.2f}"
    if status == "too_little_evidence":  # a light cell's status says nothing either way
        return CANNOT_TELL, f"report {STATUS_WORDS[stated]}; computed too little evidence ({interval_text})"
    interval = f"90% interval {cell['low']:.2f}-{cell['high']:.2f}, weight {cell['weight']:.2f}"
    said = f"report {STATUS_WORDS[stated]}; computed {computed} ({interval})"
    if status == stated:
        return AGREE, said
    floors = {"tractable": settings.get("tractable_min_low", 0.5), "partial": settings.get("partial_min_low", 0.1)}
    if STATUS_RANK[stated] > STATUS_RANK[status]:
        floor = floors[stated]
        if cell["high"] < floor:
            return DISAGREE, f"{said}: even the upper end is below the {floor:g} that {stated} needs"
        return CANNOT_TELL, f"{said}: the interval reaches both {computed} and {STATUS_WORDS[stated]}"
    return DISAGREE, f"{said}: the lower end rules out what {STATUS_WORDS[stated]} allows"


def scale_comparison(reference: dict[str, Any], assessment: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per cell (band x aspect) of the report's scale table: stated status against the computed one,
    and the barriers recorded where the report names none."""
    table = reference.get("scale_table") or {}
    aspects = table.get("compared_aspects") or [a["aspect_key"] for a in assessment.get("aspects", [])]
    cells = {(c["aspect_key"], c["band_key"]): c for c in assessment.get("scale_table", [])}
    settings = assessment.get("settings") or {}
    out = []
    for row in table.get("rows", []):
        for aspect in aspects:
            cell = cells.get((aspect, row["band"]))
            verdict, why = compare_status(row["status"], cell, settings)
            barriers = (cell or {}).get("barriers") or []
            if str(row.get("barriers", "")).strip().lower() == "none" and barriers and verdict != NOT_COMPARABLE:
                verdict = DISAGREE
                named = _listed([f'"{shorten(b.get("text") or b["key"], 90)}"' for b in barriers])
                why += f"; the report names no barriers, the evidence records {len(barriers)}: {named}"
            out.append(
                {
                    "key": f"{row['band']}:{aspect}",
                    "label": f"{row['label']}: {aspect}",
                    "stated": row["status_text"],
                    "computed": STATUS_WORDS.get((cell or {}).get("status", "no_evidence")),
                    "barriers": row.get("barriers", ""),
                    "verdict": verdict,
                    "why": why,
                }
            )
    return out
