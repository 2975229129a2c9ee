"""The trajectory as one static SVG: per aspect, the ceiling (log10 parameters) against time with its 90%
interval shaded, snapshots as dots and as-of points as triangles, and each jump numbered (the numbers
key the list of the evidence responsible beside the plot). Deterministic like the report's plots."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.backends.backend_svg import FigureCanvasSVG  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from app.reports.content import visible_bidi  # noqa: E402
from app.reports.plots import STYLE, _label, _lock  # noqa: E402

MARKERS = {"snapshot": "o", "as_of": "^"}


def _when(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")


def numbered_jumps(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every jump of every aspect, numbered in the order the plot labels them."""
    jumps = []
    for aspect in data["aspects"]:
        for jump in aspect["jumps"]:
            jumps.append({"number": len(jumps) + 1, "aspect": aspect["aspect_key"], **jump})
    return jumps


def _draw(ax, aspect: dict[str, Any], start: dt.datetime, numbers: dict[tuple[str, str], int]) -> None:
    days = lambda text: (_when(text) - start).total_seconds() / 86400  # noqa: E731
    sized = [p for p in aspect["points"] if p["params"]]
    x = [days(p["at"]) for p in sized]
    y = [math.log10(p["params"]) for p in sized]
    if sized:
        low = [math.log10(p["params_low"] or p["params"]) for p in sized]
        high = [math.log10(p["params_high"] or p["params"]) for p in sized]
        ax.fill_between(x, low, high, step="post", color="#56B4E9", alpha=0.3, linewidth=0, label="90% interval")
        ax.step(x, y, where="post", color="#0072B2", linewidth=1.4, label="ceiling")
        for kind, marker in MARKERS.items():
            xs = [xi for xi, p in zip(x, sized, strict=True) if p["kind"] == kind]
            ys = [yi for yi, p in zip(y, sized, strict=True) if p["kind"] == kind]
            if xs:
                ax.scatter(xs, ys, marker=marker, s=22, color="#0072B2", zorder=3, label=kind.replace("_", "-"))
    for p in aspect["points"]:
        number = numbers.get((aspect["aspect_key"], p["at"]))
        if number is not None:
            level = math.log10(p["params"]) if p["params"] else (max(y) if y else 9)
            ax.annotate(f"[{number}]", (days(p["at"]), level), textcoords="offset points", xytext=(3, 6), fontsize=7)
    unsized = [days(p["at"]) for p in aspect["points"] if not p["params"]]
    if unsized:
        ax.scatter(unsized, [min(y) - 0.5 if y else 9] * len(unsized), marker="x", s=18, color="#999999",
                   label="no estimate")  # fmt: skip
    ax.set_title(visible_bidi(aspect["aspect_name"]), fontsize=9, loc="left")
    ticks = sorted({math.floor(v) for v in y} | {math.ceil(v) for v in y}) if y else [9]
    ax.set_yticks(ticks, [_label(t) for t in ticks])
    ax.grid(True, linewidth=0.3, color="#cccccc")


def trajectory_svg(data: dict[str, Any]) -> str:
    """The SVG of every aspect's trajectory; empty when there is no point."""
    aspects = [a for a in data["aspects"] if a["points"]]
    if not aspects:
        return ""
    moments = sorted(_when(p["at"]) for a in aspects for p in a["points"])
    start, span = moments[0], max((moments[-1] - moments[0]).total_seconds() / 86400, 1e-3)
    numbers = {(j["aspect"], j["to"]): j["number"] for j in numbered_jumps(data)}
    with _lock, matplotlib.rc_context({**STYLE, "svg.hashsalt": "ceiling-trajectory"}):
        fig = Figure(figsize=(7.6, 1.9 * len(aspects)), dpi=72)
        FigureCanvasSVG(fig)
        axes = fig.subplots(len(aspects), 1, sharex=True, squeeze=False)[:, 0]
        for ax, aspect in zip(axes, aspects, strict=True):
            _draw(ax, aspect, start, numbers)
            ax.set_xlim(-0.02 * span, span * 1.05)
        axes[-1].set_xlabel(f"days since {start:%Y-%m-%d %H:%M} UTC")
        axes[0].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"', r'<svg \1class="plot"', svg, count=1)
    return svg.replace("<svg ", '<svg role="img" aria-label="Ceiling of each aspect over time" ', 1)
