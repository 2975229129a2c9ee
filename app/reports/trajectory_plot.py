"""The trajectory as one inline SVG: per aspect, where its statement puts validated use (log10 parameters)
against time. A located ceiling is a dot with its 90% interval; a bound is an arrow from the bound, pointing
the way it holds (down for "below X", up for "not reached up to X"); a statement with no number (not established,
no dependence on scale, too little evidence) is a hollow mark on the panel's floor. Snapshots are circles, as-of
points triangles, and each jump is numbered (the numbers key the list of the evidence responsible). Every mark
has a <title> with the date and the statement."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from app.reports.content import params_text
from app.reports.svg import marker, num, svg_document, text, vertical_arrow

WIDTH, PANEL, LEFT, RIGHT, TOP, FONT = 480.0, 118.0, 48.0, 16.0, 20.0, 12.0
COLOUR, INTERVAL, FLOOR = "#0b3d91", "#8fb8de", "#777"
SHAPES = {"snapshot": "circle", "as_of": "triangle"}


def _when(value: str) -> dt.datetime:
    return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")


def numbered_jumps(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every jump of every aspect, numbered in the order the plot labels them."""
    jumps = []
    for aspect in data["aspects"]:
        for jump in aspect["jumps"]:
            jumps.append({"number": len(jumps) + 1, "aspect": aspect["aspect_key"], **jump})
    return jumps


def _level(point: dict[str, Any]) -> float | None:
    value = point.get("params") if point.get("state") == "estimated" else point.get("bound_params")
    return math.log10(value) if value else None


def _y_range(points: list[dict[str, Any]]) -> tuple[float, float]:
    ys = [v for p in points for v in (_level(p),) if v is not None]
    ys += [math.log10(p[k]) for p in points for k in ("params_low", "params_high") if p.get(k)]
    if not ys:
        return 8.0, 11.0
    lo, hi = math.floor(min(ys) - 0.3), math.ceil(max(ys) + 0.3)
    return (lo, hi) if hi - lo >= 2 else (lo - 1, hi + 1)


def _mark(point: dict[str, Any], x: float, y_of, floor: float) -> str:
    state, level = point.get("state"), _level(point)
    shape = SHAPES.get(point.get("kind"), "circle")
    when = point["at"].replace("T", " ").replace("Z", " UTC")
    parts = []
    if level is None:
        parts.append(marker("hollow-" + shape, x, floor - 5, 4, FLOOR))
    elif state == "estimated":
        if point.get("params_low") and point.get("params_high"):
            y1, y2 = y_of(math.log10(point["params_low"])), y_of(math.log10(point["params_high"]))
            parts.append(
                f'<line x1="{num(x)}" y1="{num(y1)}" x2="{num(x)}" y2="{num(y2)}" stroke="{INTERVAL}" '
                'stroke-width="5"/>'
            )
        parts.append(marker(shape, x, y_of(level), 4, COLOUR))
    else:
        y = y_of(level)
        parts.append(vertical_arrow(x, y, y + 22 if state == "below_range" else y - 22, COLOUR))
        parts.append(marker(shape, x, y, 3.5, COLOUR))
    label = f"{when}: {point.get('statement') or state}"
    return f"<g><title>{text(label)}</title>{''.join(parts)}</g>"


def _panel(aspect: dict[str, Any], top: float, x_of, numbers: dict[tuple[str, str], int]) -> list[str]:
    bottom = top + PANEL - 34
    lo, hi = _y_range(aspect["points"])

    def y_of(level: float) -> float:
        return bottom - (level - lo) / (hi - lo) * (bottom - top - 14)

    body = [
        f'<text x="0" y="{num(top)}" font-size="{num(FONT + 1)}" font-weight="600">{text(aspect["aspect_name"])}</text>'
    ]
    step = max(1, math.ceil((hi - lo) / 4))
    for decade in range(int(lo), int(hi) + 1, step):
        y = y_of(decade)
        body.append(f'<line x1="{num(LEFT)}" y1="{num(y)}" x2="{num(WIDTH - RIGHT)}" y2="{num(y)}" stroke="#e3e3e3"/>')
        body.append(
            f'<text x="{num(LEFT - 4)}" y="{num(y + FONT / 3)}" font-size="{num(FONT)}" text-anchor="end">'
            f"{params_text(10**decade)}</text>"
        )
    body.append(
        f'<line x1="{num(LEFT)}" y1="{num(bottom)}" x2="{num(WIDTH - RIGHT)}" y2="{num(bottom)}" stroke="#444"/>'
    )
    located = [
        (x_of(p["at"]), y_of(p["params"]))
        for p in aspect["points"]
        if p.get("state") == "estimated" and p.get("params")
    ]
    if len(located) > 1:
        path = " ".join(f"{'M' if i == 0 else 'L'}{num(x)} {num(y)}" for i, (x, y) in enumerate(located))
        body.append(f'<path d="{path}" fill="none" stroke="{COLOUR}" stroke-width="1.2" stroke-dasharray="3 2"/>')
    for p in aspect["points"]:
        x = x_of(p["at"])
        body.append(_mark(p, x, y_of, bottom))
        number = numbers.get((aspect["aspect_key"], p["at"]))
        if number is not None:
            level = _level(p)
            y = y_of(level) if level is not None else bottom - 10
            body.append(f'<text x="{num(x + 5)}" y="{num(y - 6)}" font-size="{num(FONT - 1)}">[{number}]</text>')
    return body


def trajectory_svg(data: dict[str, Any]) -> str:
    """The SVG of every aspect's trajectory; empty when there is no point."""
    aspects = [a for a in data["aspects"] if a["points"]]
    if not aspects:
        return ""
    moments = sorted(_when(p["at"]) for a in aspects for p in a["points"])
    start, span = moments[0], max((moments[-1] - moments[0]).total_seconds(), 60.0)

    def x_of(at: str) -> float:
        return LEFT + 8 + (_when(at) - start).total_seconds() / span * (WIDTH - LEFT - RIGHT - 24)

    numbers = {(j["aspect"], j["to"]): j["number"] for j in numbered_jumps(data)}
    body: list[str] = []
    for index, aspect in enumerate(aspects):
        body += _panel(aspect, TOP + index * PANEL, x_of, numbers)
    height = TOP + len(aspects) * PANEL
    body.append(
        f'<text x="{num(LEFT)}" y="{num(height - 8)}" font-size="{num(FONT)}" fill="#444">'
        f"from {start:%Y-%m-%d %H:%M} to {moments[-1]:%Y-%m-%d %H:%M} UTC; ● report, ▲ as of; "
        "↓ below, ↑ not reached up to</text>"
    )
    description = f"{len(aspects)} aspects, {data['points']} points from {start:%Y-%m-%d} to {moments[-1]:%Y-%m-%d}."
    return svg_document("trajectory", (WIDTH, height), "Each aspect's ceiling over time", description, body, "plot")
