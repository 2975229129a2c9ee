"""What changed between two snapshots: ceilings (in orders of magnitude), confidence, band statuses and
evidence, each movement naming the evidence responsible.

Works on the stored dicts (assessment_json, evidence_json) so any two snapshots compare, whatever
engine version wrote them. The evidence responsible was tested when the newer snapshot was built, against the
one before it (app/reports/attribution.py: leave it out, does the change go away?) and stored with it; between
snapshots that are not consecutive, or built before that test existed, each movement names the new evidence of
its aspect as untested candidates. A ceiling's shift is measured between the numbers the statements show.
"""

from __future__ import annotations

import math
from typing import Any

EVIDENCE_KINDS = (("sources", "source"), ("claims", "claim"), ("results", "result"), ("critiques", "critique"))
MIN_SHIFT_DECADES = 0.01


def _by_key(rows: list[dict]) -> dict[str, dict]:
    return {row["key"]: row for row in rows}


def _label(kind: str, row: dict) -> str:
    if kind == "source":
        return f"source {row['key']}"
    if kind == "claim":
        return f"claim {row['key']} ({row['source_key']})"
    if kind == "result":
        return f"result {row['key']} of claim {row['claim_key']}"
    return f"critique {row['key']} of claim {row['target_claim_key']}"


def evidence_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Every evidence row added, removed, retracted or changed, with the fields that changed."""
    changes = []
    for plural, kind in EVIDENCE_KINDS:
        before, after = _by_key(old.get(plural, [])), _by_key(new.get(plural, []))
        for key in sorted(before.keys() | after.keys()):
            a, b = before.get(key), after.get(key)
            if a == b:
                continue
            if a is None:
                change, fields = "added", []
            elif b is None:
                change, fields = "removed", []
            else:
                fields = sorted(f for f in a.keys() | b.keys() if a.get(f) != b.get(f))
                retracted = kind == "claim" and b.get("status") == "retracted" and a.get("status") != "retracted"
                change = "retracted" if retracted else "changed"
            row = b or a
            changes.append({"kind": kind, "key": key, "change": change, "fields": fields, "label": _label(kind, row)})
    return changes


def _aspects_of_change(change: dict, old: dict, new: dict) -> set[str]:
    """The aspects an evidence change bears on (a source: the aspects of its claims)."""
    claims = {**_by_key(old.get("claims", [])), **_by_key(new.get("claims", []))}
    if change["kind"] == "claim":
        keys = [change["key"]]
    elif change["kind"] in ("result", "critique"):
        rows = {**_by_key(old.get(change["kind"] + "s", [])), **_by_key(new.get(change["kind"] + "s", []))}
        row = rows[change["key"]]
        keys = [row.get("claim_key") or row.get("target_claim_key")]
    else:
        return {a for c in claims.values() if c["source_key"] == change["key"] for a in c.get("aspects", [])}
    aspects = set()
    for side in (old, new):
        for claim in side.get("claims", []):
            if claim["key"] in keys:
                aspects.update(claim.get("aspects", []))
    return aspects


UNTESTED = "not tested (no leave-out test between these two reports); the evidence changes of this aspect:"


def _responsible(aspect: str, changes: list[dict], old: dict, new: dict, settings_changed: bool) -> list[str]:
    """Untested candidates: every evidence change bearing on the aspect."""
    names = [c["label"] for c in changes if aspect in _aspects_of_change(c, old, new)]
    if names:
        names.insert(0, UNTESTED)
    if settings_changed:
        names.append("the scoring settings")
    return names or ["no evidence change of this aspect (it moved with the other aspects' evidence)"]


def tested_responsible(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[str]] | None:
    """The leave-out test stored with the newer snapshot, when it was made against the older one."""
    record = (new.get("evidence") or {}).get("attribution") or {}
    previous = (old.get("meta") or {}).get("fingerprint")
    return record.get("responsible") if previous and record.get("previous") == previous else None


def shown_log10(ceiling: dict) -> float | None:
    """The number a statement shows, as log10: the ceiling where located, else the bound."""
    value = ceiling.get("params") if ceiling.get("state") == "estimated" else ceiling.get("bound_params")
    return math.log10(value) if value else None


def _ceiling_text(ceiling: dict) -> str:
    return ceiling.get("statement") or ceiling.get("state", "")


def _grade(row: dict) -> str:
    grade = row.get("confidence")
    return (grade.get("final") if isinstance(grade, dict) else grade or "").replace("_", " ")


def _ceiling_move(before: dict, after: dict) -> dict[str, Any] | None:
    b, a = before.get("ceiling") or {}, after.get("ceiling") or {}
    xb, xa = shown_log10(b), shown_log10(a)  # the sign agrees with the numbers shown, not the raw posterior
    shift = None if xb is None or xa is None else round(xa - xb, 3)
    if b.get("state") == a.get("state") and (shift is None or abs(shift) < MIN_SHIFT_DECADES):
        if _ceiling_text(b) == _ceiling_text(a):
            return None
    return {"before": _ceiling_text(b), "after": _ceiling_text(a), "shift_decades": shift}


def diff_documents(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The difference between two snapshots given as {"assessment": ..., "evidence": ...}."""
    old_a, new_a, old_e, new_e = old["assessment"], new["assessment"], old["evidence"], new["evidence"]
    changes = evidence_changes(old_e, new_e)
    settings_changed = old_a.get("settings") != new_a.get("settings")
    tested = tested_responsible(old, new)

    def who(item: str, aspect: str) -> list[str]:
        if tested is not None and item in tested:
            return tested[item] + (["the scoring settings"] if settings_changed else [])
        return _responsible(aspect, changes, old_e, new_e, settings_changed)

    old_rows = {r["aspect_key"]: r for r in old_a.get("aspects", [])}
    rows = [("overall", old_a.get("overall"), new_a.get("overall"))]
    rows = [(r["aspect_key"], old_rows.get(r["aspect_key"]), r) for r in new_a.get("aspects", [])] + rows
    ceilings, confidence = [], []
    for key, before, after in rows:
        if before is None or after is None:
            continue
        aspect = (after.get("limiting_aspect") if key == "overall" else key) or key
        move = _ceiling_move(before, after)
        if move:
            ceilings.append({"aspect": key, **move, "responsible": who(f"ceiling:{key}", aspect)})
        if _grade(before) != _grade(after):
            confidence.append(
                {
                    "aspect": key,
                    "before": _grade(before),
                    "after": _grade(after),
                    "responsible": who(f"confidence:{key}", aspect),
                }
            )
    old_cells = {(c["aspect_key"], c["band_key"]): c["status"] for c in old_a.get("scale_table", [])}
    bands = []
    for cell in new_a.get("scale_table", []):
        was = old_cells.get((cell["aspect_key"], cell["band_key"]))
        if was is not None and was != cell["status"]:
            bands.append(
                {
                    "aspect": cell["aspect_key"],
                    "band": cell["band_key"],
                    "before": was,
                    "after": cell["status"],
                    "responsible": who(f"band:{cell['aspect_key']}:{cell['band_key']}", cell["aspect_key"]),
                }
            )
    return {
        "ceilings": ceilings,
        "confidence": confidence,
        "bands": bands,
        "evidence": changes,
        "settings_changed": settings_changed,
        "lines": describe(ceilings, confidence, bands, changes),
    }


def _decades(shift: float | None) -> str:
    if shift is None:
        return ""
    word = "up" if shift > 0 else "down"
    return f" ({word} {abs(shift):.2f} orders of magnitude)"


def describe(ceilings: list, confidence: list, bands: list, changes: list) -> list[str]:
    """The changes as sentences, movements first."""
    lines = [
        f"{c['aspect']} ceiling: {c['before']} -> {c['after']}{_decades(c['shift_decades'])}; "
        f"because of {', '.join(c['responsible'])}"
        for c in ceilings
    ]
    lines += [
        f"{c['aspect']} confidence: {c['before']} -> {c['after']}; because of {', '.join(c['responsible'])}"
        for c in confidence
    ]
    lines += [
        f"{b['aspect']} at {b['band']} scale: {b['before']} -> {b['after']}; "
        f"because of {', '.join(b['responsible'])}".replace("_", " ")
        for b in bands
    ]
    for c in changes:
        fields = f" ({', '.join(c['fields'])})" if c["fields"] else ""
        lines.append(f"{c['label']}: {c['change']}{fields}")
    return lines
