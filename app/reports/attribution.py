"""Which new evidence is responsible for each change between two reports: leave it out and see.

The engine is pure, so a change can be tested: assess the new evidence without one source's new evidence (the
rows it added since the previous report dropped, the rows it changed put back as the previous report captured
them); if the row's value (ceiling statement, grade, band status) returns
to the previous report's, that source's new evidence is responsible. When no single source explains a change,
all the candidates are left out together: if the change then goes away, they are responsible together;
otherwise the change comes from elsewhere (another aspect's evidence, edited rows, the settings).

Bounded: only the rows that moved are tested, only against the sources with new evidence bearing on that row's
aspect, at most MAX_SOURCES leave-out assessments per build (the heaviest in new rows first); the rest are
named as not tested. Removed rows are not put back (the capture lacks some of their engine columns) and are
named as such.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from app.scoring import Evidence, ScoringSettings, assess

MAX_SOURCES = 6
ROWS_NAMED = 5
PLURALS = {"source": "sources", "claim": "claims", "result": "results", "critique": "critiques"}


def _frames(evidence: Evidence) -> dict[str, pd.DataFrame]:
    return {name: getattr(evidence, name) for name in Evidence.__dataclass_fields__}


def _put_back(f: dict[str, pd.DataFrame], revert: dict[str, dict[str, dict]]) -> None:
    """Changed rows back to their previous captured values (the columns the capture and the engine share)."""
    for kind, rows in revert.items():
        plural = PLURALS[kind]
        frame = f[plural].copy()
        for key, old in rows.items():
            at = frame.index[frame["key"] == key]
            for column in set(frame.columns) & set(old) - {"key"}:
                frame.loc[at, column] = old[column]
            if kind == "claim" and "aspects" in old:
                links = f["claim_aspects"]
                kept = links[links["claim_key"] != key]
                back = pd.DataFrame({"claim_key": key, "aspect_key": old["aspects"]}, columns=links.columns)
                f["claim_aspects"] = pd.concat([kept, back], ignore_index=True)
        f[plural] = frame


def without_rows(
    evidence: Evidence, drop: dict[str, set[str]], revert: dict[str, dict[str, dict]] | None = None
) -> Evidence:
    """The evidence without the given rows (by kind and key) and everything that hangs on them, and with the
    rows in `revert` (kind -> key -> previous values) put back as they were."""
    f = _frames(evidence)
    _put_back(f, revert or {})
    sources = drop.get("source", set())
    claims = drop.get("claim", set()) | set(f["claims"].loc[f["claims"]["source_key"].isin(sources), "key"])
    f["sources"] = f["sources"][~f["sources"]["key"].isin(sources)]
    f["claims"] = f["claims"][~f["claims"]["key"].isin(claims)]
    f["claim_aspects"] = f["claim_aspects"][~f["claim_aspects"]["claim_key"].isin(claims)]
    f["claim_questions"] = f["claim_questions"][~f["claim_questions"]["claim_key"].isin(claims)]
    r = f["results"]
    f["results"] = r[~r["key"].isin(drop.get("result", set())) & ~r["claim_key"].isin(claims)]
    k = f["critiques"]
    gone = (
        k["key"].isin(drop.get("critique", set()))
        | k["target_claim_key"].isin(claims)
        | k["critic_claim_key"].isin(claims)
        | k["critic_source_key"].isin(sources)
    )
    f["critiques"] = k[~gone]
    return Evidence(**f)


def _source_of(change: dict, new_evidence: dict[str, Any]) -> str | None:
    """The source whose evidence an added row is: a source itself, a claim's source, a result's claim's
    source, a critique's critic (its source, or its critic claim's source)."""
    claims = {c["key"]: c for c in new_evidence.get("claims", [])}
    if change["kind"] == "source":
        return change["key"]
    if change["kind"] == "claim":
        return (claims.get(change["key"]) or {}).get("source_key")
    if change["kind"] == "result":
        result = next((r for r in new_evidence.get("results", []) if r["key"] == change["key"]), {})
        return (claims.get(result.get("claim_key")) or {}).get("source_key")
    critique = next((k for k in new_evidence.get("critiques", []) if k["key"] == change["key"]), {})
    return critique.get("critic_source_key") or (claims.get(critique.get("critic_claim_key")) or {}).get("source_key")


def _value(assessment: dict[str, Any], item: tuple) -> str | None:
    """The value a moved row shows in an assessment: a ceiling statement, a grade or a band status."""
    kind, aspect = item[0], item[1]
    rows = {r["aspect_key"]: r for r in assessment.get("aspects", [])}
    row = assessment.get("overall") if aspect == "overall" else rows.get(aspect)
    if kind == "band":
        cell = next((c for c in assessment.get("scale_table", []) if (c["aspect_key"], c["band_key"]) == item[1:]), {})
        return cell.get("status")
    if row is None:
        return None
    if kind == "ceiling":
        return (row.get("ceiling") or {}).get("statement")
    grade = row.get("confidence")
    return grade.get("final") if isinstance(grade, dict) else grade


def _position(ceiling: dict[str, Any]) -> float | None:
    value = ceiling.get("params") if ceiling.get("state") == "estimated" else ceiling.get("bound_params")
    return math.log10(value) if value else None


def _ceiling(assessment: dict[str, Any], aspect: str) -> dict[str, Any]:
    rows = {r["aspect_key"]: r for r in assessment.get("aspects", [])}
    row = assessment.get("overall") if aspect == "overall" else rows.get(aspect)
    return (row or {}).get("ceiling") or {}


def gone(item: tuple, old: dict[str, Any], new: dict[str, Any], without: dict[str, Any]) -> bool:
    """Whether the change of `item` from old to new goes away without some evidence: the value returns to the
    old one, or (a ceiling in the same state) the shown number moves back more than half of the way."""
    if _value(without, item) == _value(old, item):
        return True
    if item[0] != "ceiling":
        return False
    then, now, out = _ceiling(old, item[1]), _ceiling(new, item[1]), _ceiling(without, item[1])
    if not then.get("state") == now.get("state") == out.get("state"):
        return False
    x_then, x_now, x_out = _position(then), _position(now), _position(out)
    if None in (x_then, x_now, x_out) or abs(x_now - x_then) < 1e-9:
        return False
    return abs(x_out - x_then) < abs(x_now - x_then) / 2


def moved_items(diff: dict[str, Any]) -> list[tuple[str, ...]]:
    """The rows that moved: ('ceiling', aspect), ('confidence', aspect), ('band', aspect, band)."""
    items = [("ceiling", c["aspect"]) for c in diff.get("ceilings", [])]
    items += [("confidence", c["aspect"]) for c in diff.get("confidence", [])]
    return items + [("band", b["aspect"], b["band"]) for b in diff.get("bands", [])]


def responsible(
    diff: dict[str, Any],
    old_assessment: dict[str, Any],
    new_assessment: dict[str, Any],
    old_evidence: dict[str, Any],
    new_evidence: dict[str, Any],
    evidence: Evidence,
    settings: ScoringSettings,
    aspects_of: Callable[[dict], set[str]],
) -> dict[str, list[str]]:
    """For each moved row ('ceiling:<aspect>', 'confidence:<aspect>', 'band:<aspect>:<band>'), the labels
    of the new evidence responsible for it, tested by leaving it out."""
    removed = [c for c in diff.get("evidence", []) if c["change"] == "removed"]
    by_source: dict[str, list[dict]] = {}
    for change in diff.get("evidence", []):
        if change["change"] != "removed":
            by_source.setdefault(_source_of(change, new_evidence) or "?", []).append(change)
    previous_rows = {(k, row["key"]): row for k, plural in PLURALS.items() for row in old_evidence.get(plural, [])}
    items = moved_items(diff)
    scale = set(old_assessment.get("overall", {}).get("aspects_included") or [])
    scale = scale or {r["aspect_key"] for r in old_assessment.get("aspects", [])}

    def candidates(item: tuple) -> list[str]:
        wanted = scale if item[1] == "overall" else {item[1]}
        return sorted(s for s, rows in by_source.items() if any(aspects_of(c) & wanted for c in rows))

    everyone = sorted({s for item in items for s in candidates(item)}, key=lambda s: (-len(by_source[s]), s))
    tested = everyone[:MAX_SOURCES]
    leave_out: dict[tuple, dict] = {}

    def undone(item: tuple, group: tuple[str, ...]) -> bool:
        if group not in leave_out:
            changes = [change for source in group for change in by_source[source]]
            without = without_rows(evidence, *_undo(changes, previous_rows))
            leave_out[group] = assess(without, settings).model_dump(mode="json")
        return gone(item, old_assessment, new_assessment, leave_out[group])

    out = {}
    for item in items:
        mine = candidates(item)
        named = [s for s in mine if s in tested and undone(item, (s,))]
        if not named and len(mine) > 1 and set(mine) <= set(tested) and undone(item, tuple(mine)):
            named = mine  # no one source alone, but together they explain it
        labels = [label for s in named for label in _labels(by_source[s])]
        labels = labels or ["no new evidence of this row alone explains it: " + _elsewhere(mine, tested, removed)]
        labels += [
            f"not tested (past {MAX_SOURCES} leave-out assessments): source {s}" for s in mine if s not in tested
        ]
        out[":".join(item)] = labels
    return out


def _undo(changes: list[dict], previous_rows: dict) -> tuple[dict[str, set[str]], dict[str, dict[str, dict]]]:
    """What leaving out these changes means: the added rows to drop, the changed rows to put back."""
    drop: dict[str, set[str]] = {}
    revert: dict[str, dict[str, dict]] = {}
    for change in changes:
        if change["change"] == "added":
            drop.setdefault(change["kind"], set()).add(change["key"])
        elif (change["kind"], change["key"]) in previous_rows:
            revert.setdefault(change["kind"], {})[change["key"]] = previous_rows[change["kind"], change["key"]]
    return drop, revert


def _labels(changes: list[dict]) -> list[str]:
    shown = [c["label"] for c in changes[:ROWS_NAMED]]
    return shown + (
        [f"and {len(changes) - ROWS_NAMED} more new rows of the same source"] if len(changes) > ROWS_NAMED else []
    )


def _elsewhere(mine: list[str], tested: list[str], edited: list[dict]) -> str:
    parts = []
    if mine:
        parts.append(f"leaving out the new evidence of {', '.join(s for s in mine if s in tested)} does not undo it")
    if edited:
        parts.append(f"{len(edited)} row(s) removed (not put back)")
    parts.append("evidence of other aspects or the settings")
    return "; ".join(parts)


def attribution(
    previous: dict[str, Any], assessment: dict[str, Any], captured: dict[str, Any], evidence: Evidence
) -> dict[str, Any]:
    """The leave-out test of a new snapshot against the previous one, to store with the new snapshot's evidence:
    {"previous": the previous report's fingerprint, "responsible": {moved row: labels}}."""
    from app.reports.diff import _aspects_of_change, diff_documents  # diff reads what this module writes

    diff = diff_documents(previous, {"assessment": assessment, "evidence": captured})
    settings = ScoringSettings.model_validate(assessment.get("settings") or {})
    old_e = previous["evidence"]

    def aspects_of(change: dict) -> set[str]:
        return _aspects_of_change(change, old_e, captured)

    found = responsible(diff, previous["assessment"], assessment, old_e, captured, evidence, settings, aspects_of)
    return {"previous": (previous.get("meta") or {}).get("fingerprint"), "responsible": found}
