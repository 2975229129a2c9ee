"""The changes between two reports in words: each movement with the values before and after, a direction
that agrees with those values, and the evidence responsible as titles that link to it.

Reads the diff of app/reports/diff.py (which names the responsible evidence by label) and the two assessments;
the shift in orders of magnitude is taken between the numbers the two statements show, so that "below 2.4B"
to "about 781M" reads as down, as the numbers do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.reports.content import words
from app.reports.reading import _position, direction, shown_value

TITLE_CHARS = 140
VERBS = {"up": "moved up", "down": "moved down", "changed": "changed", "same": "was restated", "new": "is new"}


def _short(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1] + "…"


def _titles(evidence: dict[str, Any]) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(kind, key) -> (title, the claim it belongs to) for every captured row."""
    claims = {c["key"]: c for c in evidence.get("claims", [])}
    out: dict[tuple[str, str], tuple[str, str | None]] = {}
    for s in evidence.get("sources", []):
        out[("source", s["key"])] = (_short(s.get("title") or s["key"]), None)
    for c in claims.values():
        out[("claim", c["key"])] = (_short(c.get("text") or c["key"]), c["key"])
    for r in evidence.get("results", []):
        claim = claims.get(r["claim_key"], {})
        title = f"{r.get('model_name') or 'a model'}: {_short(claim.get('text') or r['claim_key'])}"
        out[("result", r["key"])] = (title, r["claim_key"])
    for k in evidence.get("critiques", []):
        out[("critique", k["key"])] = (_short(k.get("text") or k["key"]), k["target_claim_key"])
    return out


def _responsible(names: list[str], by_label: dict[str, dict], titles: dict, link: Callable) -> list[dict[str, Any]]:
    out = []
    for name in names:
        change = by_label.get(name)
        if change is None:  # the scoring settings, or the engine's note that no single change explains it
            out.append({"title": name, "href": None, "what": ""})
            continue
        title, claim = titles.get((change["kind"], change["key"]), (change["label"], None))
        href = link(change["kind"], change["key"], claim) if change["change"] != "removed" else None
        out.append({"title": title, "href": href, "what": f"{change['kind']} {change['change']}"})
    return out


def _decades(before: dict[str, Any], after: dict[str, Any]) -> str:
    x_before, x_after = _position(before.get("ceiling") or {}), _position(after.get("ceiling") or {})
    if x_before is None or x_after is None or abs(x_after - x_before) < 0.005:
        return ""
    return f" ({abs(x_after - x_before):.2f} orders of magnitude)"


def change_items(
    changes: dict[str, Any] | None,
    old: dict[str, Any] | None,
    new: dict[str, Any],
    evidence: dict[str, Any],
    link: Callable[[str, str, str | None], str | None],
) -> list[dict[str, Any]]:
    """Movements first (ceilings, confidence, band statuses), then the evidence added, removed or changed.
    `link(kind, key, claim_key)` gives the address of a row, or None where it has none."""
    if not changes:
        return []
    by_label = {c["label"]: c for c in changes.get("evidence", [])}
    titles = _titles(evidence)
    rows_old = {r["aspect_key"]: r for r in (old or {}).get("aspects", [])}
    rows_new = {r["aspect_key"]: r for r in new.get("aspects", [])}
    if (old or {}).get("overall") and new.get("overall"):  # engine v2 diffs the overall row too
        rows_old["overall"] = old["overall"]
        rows_new["overall"] = {**new["overall"], "aspect_name": "Overall"}
    names = {k: r.get("aspect_name") or k for k, r in rows_new.items()}
    bands = {b["key"]: b["name"] for b in new.get("bands", [])}
    items = []
    for c in changes.get("ceilings", []):
        before, after = rows_old.get(c["aspect"]), rows_new.get(c["aspect"], {})
        kind = direction(after, before) if before and after.get("ceiling") else "changed"
        head = f"{names.get(c['aspect'], c['aspect'])}: {VERBS[kind]}"
        if before and before.get("ceiling") and after.get("ceiling"):
            head += f", from {shown_value(before['ceiling'])} to {shown_value(after['ceiling'])}"
            head += _decades(before, after)
        items.append(
            {
                "kind": kind,
                "text": head,
                "before": c["before"],
                "after": c["after"],
                "responsible": _responsible(c["responsible"], by_label, titles, link),
            }
        )
    for c in changes.get("confidence", []):
        levels = ["very low", "low", "moderate", "high"]
        up = levels.index(c["after"]) > levels.index(c["before"]) if {c["before"], c["after"]} <= set(levels) else None
        items.append(
            {
                "kind": "changed" if up is None else "up" if up else "down",
                "text": f"{names.get(c['aspect'], c['aspect'])}: confidence {c['before']} → {c['after']}",
                "before": c["before"],
                "after": c["after"],
                "responsible": _responsible(c["responsible"], by_label, titles, link),
            }
        )
    order = ["no_evidence", "too_little_evidence", "fragmentary", "partial", "tractable"]
    for b in changes.get("bands", []):
        up = order.index(b["after"]) > order.index(b["before"]) if {b["before"], b["after"]} <= set(order) else None
        label = f"{names.get(b['aspect'], b['aspect'])} at {bands.get(b['band'], b['band'])}"
        items.append(
            {
                "kind": "changed" if up is None else "up" if up else "down",
                "text": f"{label}: {words(b['before'])} → {words(b['after'])}",
                "before": words(b["before"]),
                "after": words(b["after"]),
                "responsible": _responsible(b["responsible"], by_label, titles, link),
            }
        )
    return items


def evidence_items(changes: dict[str, Any] | None, evidence: dict[str, Any], link: Callable) -> list[dict[str, Any]]:
    """Every evidence row added, removed, retracted or changed, by title, with the fields that changed."""
    titles = _titles(evidence)
    out = []
    for c in (changes or {}).get("evidence", []):
        title, claim = titles.get((c["kind"], c["key"]), (c["label"], None))
        href = link(c["kind"], c["key"], claim) if c["change"] != "removed" else None
        fields = ", ".join(words(f) for f in c.get("fields") or [])
        out.append(
            {
                "title": title,
                "href": href,
                "kind": c["kind"],
                "change": c["change"],
                "fields": fields,
                "key": c["key"],
                "what": "",
            }
        )
    return out
