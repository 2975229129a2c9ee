"""One static SVG per aspect: P(works) against parameter count (log axis), with the evidence points
sized by weight and coloured by outcome, and the ceiling and its 90% interval marked.

Deterministic: the Agg/SVG backends without pyplot, fixed rcParams, no date in the metadata and a
hash salt per aspect (so the ids of several inline SVGs never collide). The same snapshot always
gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
import threading
from collections import OrderedDict
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.backends.backend_svg import FigureCanvasSVG  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FixedLocator, NullLocator  # noqa: E402

from app.reports.content import visible_bidi  # noqa: E402

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "svg.fonttype": "none",
    "svg.image_inline": True,
    "axes.unicode_minus": False,
    "path.simplify": True,
    "lines.antialiased": True,
}
# Colour-blind-safe (Okabe-Ito) colours, and a different marker per outcome for print in grey.
OUTCOMES = {
    "success": ("#0072B2", "o", "success"),
    "partial": ("#E69F00", "s", "partial"),
    "failure": ("#D55E00", "X", "failure"),
}
SCORE_OUTCOME = {1.0: "success", 0.5: "partial", 0.0: "failure"}
_lock = threading.RLock()
_cache: OrderedDict[str, str] = OrderedDict()


def _label(log10: float) -> str:
    value = 10**log10
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if value >= size:
            return f"{value / size:.0f}{unit}"
    return f"{value:.0f}"


def fallback_curve(row: dict[str, Any], slope_per_decade: float) -> list[dict[str, float]]:
    """P(works) = expit(k (c - x)) from the fitted crossing, when the engine gives no curve itself."""
    c = (row.get("ceiling") or {}).get("crossing_log10_params")
    if c is None or (row.get("ceiling") or {}).get("state") == "insufficient":
        return []
    xs = [c - 6 + i * 0.1 for i in range(121)]
    return [{"log10_params": x, "p_works": 1 / (1 + math.exp(-slope_per_decade * (c - x)))} for x in xs]


def fallback_points(aspect_key: str, evidence: dict[str, Any]) -> list[dict[str, Any]]:
    """Sized mechanistic results of the aspect's claims, weighted by claim confidence, when the engine gives none."""
    baseline = {m["key"] for m in evidence.get("methods", []) if m.get("family") == "baseline"}
    claims = {c["key"]: c for c in evidence.get("claims", []) if aspect_key in c.get("aspects", [])}
    points = []
    for r in evidence.get("results", []):
        claim = claims.get(r["claim_key"])
        if claim is None or claim.get("status") == "retracted" or r.get("method") in baseline:
            continue
        if r.get("params"):
            x = math.log10(r["params"])
        elif r.get("params_low") and r.get("params_high"):
            x = (math.log10(r["params_low"]) + math.log10(r["params_high"])) / 2
        else:
            continue
        score = {"success": 1.0, "partial": 0.5, "failure": 0.0}.get(r["outcome"], 0.5)
        points.append({"log10_params": x, "score": score, "weight": claim["confidence"], "outcome": r["outcome"]})
    return points


def _x_range(points: list[dict], ceiling: dict[str, Any]) -> tuple[float, float]:
    xs = [p["log10_params"] for p in points]
    for name in ("params", "params_low", "params_high", "largest_observed_params"):
        if ceiling.get(name):
            xs.append(math.log10(ceiling[name]))
    if not xs:
        return 6.0, 13.0
    lo, hi = max(min(xs) - 0.7, 3.0), min(max(xs) + 0.7, 15.0)
    if hi - lo < 4:
        mid = (hi + lo) / 2
        lo, hi = mid - 2, mid + 2
    return lo, hi


def _draw(fig: Figure, title: str, curve: list[dict], points: list[dict], ceiling: dict[str, Any], bands) -> None:
    ax = fig.add_subplot(1, 1, 1)
    lo, hi = _x_range(points, ceiling)
    for band in bands:
        if band.get("min_params") and lo < math.log10(band["min_params"]) < hi:
            ax.axvline(math.log10(band["min_params"]), color="#dddddd", linewidth=0.8, zorder=0)
    ax.axhline(0.5, color="#999999", linewidth=0.8, linestyle=(0, (4, 3)), zorder=1)
    if ceiling.get("params_low") and ceiling.get("params_high"):
        ax.axvspan(
            math.log10(ceiling["params_low"]),
            math.log10(ceiling["params_high"]),
            color="#56B4E9",
            alpha=0.18,
            linewidth=0,
            label="90% interval of the ceiling",
            zorder=1,
        )
    if ceiling.get("params"):
        ax.axvline(math.log10(ceiling["params"]), color="#0b3d91", linewidth=1.6, label="ceiling (P = 0.5)", zorder=3)
    if ceiling.get("largest_observed_params"):
        ax.axvline(
            math.log10(ceiling["largest_observed_params"]),
            color="#555555",
            linewidth=0.9,
            linestyle=(0, (1, 2)),
            label="largest model with evidence",
            zorder=2,
        )
    curve = [c for c in curve if lo <= c["log10_params"] <= hi]
    if curve:
        ax.plot(
            [c["log10_params"] for c in curve],
            [c["p_works"] for c in curve],
            color="#222222",
            linewidth=1.5,
            label="fitted P(works)",
            zorder=4,
        )
    top = max((p["weight"] for p in points), default=1.0) or 1.0
    for outcome, (colour, marker, label) in OUTCOMES.items():
        mine = [p for p in points if p.get("outcome", SCORE_OUTCOME.get(p["score"])) == outcome]
        if mine:
            ax.scatter(
                [p["log10_params"] for p in mine],
                [p["score"] for p in mine],
                s=[18 + 110 * p["weight"] / top for p in mine],
                c=colour,
                marker=marker,
                alpha=0.75,
                edgecolors="white",
                linewidths=0.5,
                label=f"evidence: {label}",
                zorder=5,
            )
    ax.set_xlim(lo, hi)
    ax.set_ylim(-0.05, 1.05)
    ticks = list(range(math.ceil(lo), math.floor(hi) + 1))
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.set_xticklabels([_label(t) for t in ticks])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("parameters (log scale)")
    ax.set_ylabel("P(works)")
    ax.set_title(title, loc="left", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)


def aspect_svg(row: dict[str, Any], evidence: dict[str, Any], settings: dict[str, Any], bands: list[dict]) -> str:
    """The plot of one aspect as an inline-ready <svg> element (no XML prolog); cached by its inputs."""
    curve = list(row.get("curve") or []) or fallback_curve(row, float(settings.get("logistic_slope_per_decade", 1.5)))
    points = list(row.get("points") or []) or fallback_points(row["aspect_key"], evidence)
    inputs = [row["aspect_key"], row.get("aspect_name"), curve, points, row.get("ceiling") or {}, bands]
    key = hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    svg = _render(row, curve, points, bands)
    with _lock:
        _cache[key] = svg
        while len(_cache) > 64:
            _cache.popitem(last=False)
    return svg


def _render(row: dict[str, Any], curve: list[dict], points: list[dict], bands: list[dict]) -> str:
    ceiling = row.get("ceiling") or {}
    with _lock, matplotlib.rc_context({**STYLE, "svg.hashsalt": f"ceiling-{row['aspect_key']}"}):
        fig = Figure(figsize=(7.6, 3.3), dpi=72)
        FigureCanvasSVG(fig)
        _draw(fig, visible_bidi(row.get("aspect_name") or row["aspect_key"]), curve, points, ceiling, bands)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"', r'<svg \1class="plot"', svg, count=1)
    return svg.replace("<svg ", f'<svg role="img" aria-label="P(works) against parameters: {_attr(row)}" ', 1)


def _attr(row: dict[str, Any]) -> str:
    text = visible_bidi(
        (row.get("aspect_name") or row["aspect_key"]) + ". " + (row.get("ceiling") or {}).get("statement", "")
    )
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def aspect_plots(assessment: dict[str, Any], evidence: dict[str, Any]) -> dict[str, str]:
    """aspect key -> SVG, for every row of the ceiling table."""
    settings, bands = assessment.get("settings") or {}, assessment.get("bands") or []
    return {row["aspect_key"]: aspect_svg(row, evidence, settings, bands) for row in assessment.get("aspects", [])}
