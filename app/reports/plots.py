"""Each aspect's P(works) plot as inline SVG: the real models of its evidence against parameter count (log axis),
the engine's fitted curve, and the ceiling or the bound the engine states.

Every model is a mark named on hover (its <title>) and listed in the figure's table: a disclosed size is a dot,
an analyst's estimate or range is a dot on a horizontal range, an undisclosed size known only as "at least X" is
an arrow from X. The outcome sets colour and height (works, partly, fails), the evaluation standard the marker's
shape. The ceiling is a line in its 90% interval; a bound is an arrow pointing the way it holds. Numbers come
from the Assessment and the captured results as they are: nothing is recomputed here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from app.reports.content import params_text
from app.reports.reading import as_stated
from app.reports.svg import Frame, arrow, marker, num, svg_document, text, x_axis, x_range

OUTCOMES = {  # colour (Okabe-Ito, safe for colour-blind readers), height, words
    "success": ("#0072B2", 1.0, "works"),
    "partial": ("#B86E00", 0.5, "works partly"),
    "failure": ("#D55E00", 0.0, "fails"),
}
STANDARDS = {  # marker shape and words; results without a recorded standard are plain dots
    "ground_truth": ("circle", "judged against ground truth"),
    "simple_baseline": ("square", "judged against simple baselines"),
    "demonstration": ("diamond", "a demonstration"),
    "internal_metric": ("hollow-circle", "internal metrics only"),
    "mechanistic_comparison": ("hollow-triangle", "against other mechanistic methods"),
    "not_recorded": ("circle", "standard not recorded"),
}
INTERVAL, CEILING, CURVE, BOUND = "#cfe3f3", "#0b3d91", "#222", "#0b3d91"


@dataclass(frozen=True)
class ModelPoint:
    """One result as the plot shows it: where its model sits (log10 parameters) and how it is known."""

    model: str
    size: str
    at: float  # where the mark sits
    low: float | None  # a range's ends (log10), or the bound of an open-ended size
    high: float | None
    open_ended: bool
    outcome: str
    standard: str
    claim_key: str | None


def _size(r: dict[str, Any]) -> tuple[float, float | None, float | None, bool, str] | None:
    """(mark, low, high, open-ended, words) of a result's size; None when the size is not known at all."""
    params, low, high = r.get("params"), r.get("params_low"), r.get("params_high")
    if params and low and high:
        return math.log10(params), math.log10(low), math.log10(high), False, f"estimated {params_text(params)}"
    if params:
        return math.log10(params), None, None, False, params_text(params)
    if low and high:
        mid = (math.log10(low) + math.log10(high)) / 2
        words = f"undisclosed; {params_text(low)}-{params_text(high)} by analyst range"
        return mid, math.log10(low), math.log10(high), False, words
    if low:
        return math.log10(low), math.log10(low), None, True, f"undisclosed; at least {params_text(low)}"
    return None


def model_points(aspect_key: str, evidence: dict[str, Any]) -> tuple[list[ModelPoint], int]:
    """The results of the aspect's mechanistic methods with a size, and how many have none (not plotted)."""
    baseline = {m["key"] for m in evidence.get("methods", []) if m.get("family") == "baseline"}
    claims = {c["key"]: c for c in evidence.get("claims", []) if aspect_key in c.get("aspects", [])}
    points, unsized = [], 0
    for r in evidence.get("results", []):
        claim = claims.get(r["claim_key"])
        if claim is None or claim.get("status") == "retracted" or r.get("method") in baseline:
            continue
        if r.get("outcome") not in OUTCOMES:
            continue
        size = _size(r)
        if size is None:
            unsized += 1
            continue
        at, low, high, open_ended, words = size
        standard = r.get("evaluation_standard") or "not_recorded"
        points.append(
            ModelPoint(
                r.get("model_name") or "unnamed model",
                words,
                at,
                low,
                high,
                open_ended,
                r["outcome"],
                standard if standard in STANDARDS else "not_recorded",
                r["claim_key"],
            )
        )
    points.sort(key=lambda p: (p.at, p.model, p.outcome))
    return points, unsized


def engine_points(row: dict[str, Any]) -> list[ModelPoint]:
    """The engine's binned evidence points as marks, when the results themselves are not at hand."""
    return [
        ModelPoint(
            f"results near {params_text(10 ** p['log10_params'])}",
            ("estimated " if p.get("estimated") else "") + params_text(10 ** p["log10_params"]),
            p["log10_params"],
            None,
            None,
            False,
            p["outcome"],
            "not_recorded",
            None,
        )
        for p in row.get("points") or []
        if p.get("outcome") in OUTCOMES
    ]


def fallback_curve(row: dict[str, Any], slope_per_decade: float) -> list[dict[str, float]]:
    """P(works) = expit(k (c - x)) from the fitted crossing, when the engine gives no curve itself."""
    c = (row.get("ceiling") or {}).get("crossing_log10_params")
    if c is None or (row.get("ceiling") or {}).get("state") in ("insufficient", "not_applicable"):
        return []
    return [
        {"log10_params": c - 6 + i * 0.1, "p_works": 1 / (1 + math.exp(-slope_per_decade * (6 - i * 0.1)))}
        for i in range(121)
    ]


def _spread(points: list[ModelPoint]) -> list[float]:
    """Heights that keep marks of one outcome at nearly one scale apart (works stack down, fails up)."""
    seen: dict[tuple[float, str], int] = {}
    heights = []
    for p in points:
        k = seen.get((round(p.at * 4) / 4, p.outcome), 0)
        seen[(round(p.at * 4) / 4, p.outcome)] = k + 1
        base = OUTCOMES[p.outcome][1]
        direction = -1 if base == 1.0 else 1 if base == 0.0 else (1 if k % 2 else -1)
        heights.append(base + direction * 0.055 * ((k % 5) if base != 0.5 else (k + 1) // 2 % 3))
    return heights


def _ceiling_marks(frame: Frame, ceiling: dict[str, Any], font: float, labels: bool) -> list[str]:
    state, top, base = ceiling.get("state"), frame.top, frame.height - frame.bottom
    parts = []
    if state == "estimated" and ceiling.get("params"):
        x = frame.x(math.log10(ceiling["params"]))
        if ceiling.get("params_low") and ceiling.get("params_high"):
            x1, x2 = frame.x(math.log10(ceiling["params_low"])), frame.x(math.log10(ceiling["params_high"]))
            parts.append(
                f'<rect x="{num(x1)}" y="{num(top)}" width="{num(max(x2 - x1, 1))}" '
                f'height="{num(base - top)}" fill="{INTERVAL}"/>'
            )
        parts.append(
            f'<line x1="{num(x)}" y1="{num(top)}" x2="{num(x)}" y2="{num(base)}" stroke="{CEILING}" stroke-width="2"/>'
        )
        if labels:
            parts.append(_label(frame, x, f"ceiling about {as_stated(ceiling['params'])}", font, CEILING))
    elif state in ("below_range", "not_reached") and ceiling.get("bound_params"):
        x = frame.x(math.log10(ceiling["bound_params"]))
        to = x - 44 if state == "below_range" else x + 44
        parts.append(
            f'<line x1="{num(x)}" y1="{num(top)}" x2="{num(x)}" y2="{num(base)}" stroke="{BOUND}" '
            'stroke-width="1.5" stroke-dasharray="5 3"/>'
        )
        parts.append(arrow(x, top + 6, to, BOUND, width=2.2, head=8))
        if labels:
            lead = "ceiling below " if state == "below_range" else "not reached up to "
            parts.append(_label(frame, x, lead + as_stated(ceiling["bound_params"]), font, BOUND))
    return parts


def _label(frame: Frame, x: float, words: str, font: float, colour: str) -> str:
    """A label above the plotting area at x, kept inside the figure: left of x on the right half, else right."""
    anchor, at = ("end", x - 4) if x > frame.width / 2 else ("start", x + 4)
    return (
        f'<text x="{num(at)}" y="{num(frame.top - 7)}" font-size="{num(font)}" text-anchor="{anchor}" '
        f'fill="{colour}">{text(words)}</text>'
    )


def _model_mark(frame: Frame, p: ModelPoint, height: float, radius: float) -> str:
    colour = OUTCOMES[p.outcome][0]
    y = frame.y(height)
    parts = []
    if p.open_ended:
        parts.append(arrow(frame.x(p.at), y, frame.x(p.at) + 26, colour, width=1.6, head=6))
    elif p.low is not None and p.high is not None:
        parts.append(
            f'<line x1="{num(frame.x(p.low))}" y1="{num(y)}" x2="{num(frame.x(p.high))}" y2="{num(y)}" '
            f'stroke="{colour}" stroke-width="1.4" stroke-opacity=".6"/>'
        )
    parts.append(marker(STANDARDS[p.standard][0], frame.x(p.at), y, radius, colour))
    label = f"{p.model} ({p.size}): {OUTCOMES[p.outcome][2]}, {STANDARDS[p.standard][1]}"
    return f"<g><title>{text(label)}</title>{''.join(parts)}</g>"


def _curve(frame: Frame, curve: list[dict[str, float]]) -> list[str]:
    shown = [c for c in curve if frame.lo <= c["log10_params"] <= frame.hi]
    if len(shown) < 2:
        return []
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{num(frame.x(c['log10_params']))} {num(frame.y(c['p_works']))}"
        for i, c in enumerate(shown)
    )
    return [f'<path d="{path}" fill="none" stroke="{CURVE}" stroke-width="1.8"><title>fitted P(works)</title></path>']


def _extent(points: list[ModelPoint], ceiling: dict[str, Any]) -> tuple[float, float]:
    xs = [v for p in points for v in (p.at, p.low, p.high) if v is not None]
    xs += [math.log10(ceiling[k]) for k in ("params", "params_low", "params_high", "bound_params") if ceiling.get(k)]
    return x_range(xs)


def _tested(points: list[ModelPoint]) -> str:
    """What the plot shows in words, sizes named by their models (never the axis's padded ends)."""
    if not points:
        return "No sized result."
    ordered = sorted(points, key=lambda p: (p.at, p.model))
    models = len({p.model for p in points})
    first, last = ordered[0], ordered[-1]
    if models == 1:
        return f"{len(points)} result(s) on {first.model} ({first.size})."
    return f"{len(points)} results on {models} models, from {first.model} ({first.size}) to {last.model} ({last.size})."


def plot_svg(row: dict[str, Any], points: list[ModelPoint], slope: float, mini: bool = False) -> str:
    """The plot of one aspect; `mini` is the small version of the home page's cards."""
    ceiling = row.get("ceiling") or {}
    lo, hi = _extent(points, ceiling)
    if mini:
        frame, font, radius = Frame(260, 84, 8, 8, 8, 18, lo, hi), 11.0, 3.2
    else:
        frame, font, radius = Frame(480, 250, 44, 14, 24, 40, lo, hi), 13.0, 4.6
    body = [
        f'<rect x="{num(frame.left)}" y="{num(frame.top)}" width="{num(frame.width - frame.left - frame.right)}" '
        f'height="{num(frame.height - frame.top - frame.bottom)}" fill="#fafafa"/>'
    ]
    body += _ceiling_marks(frame, ceiling, font, labels=not mini)
    for value, label in ((1.0, "1"), (0.5, "0.5"), (0.0, "0")):
        y = frame.y(value)
        body.append(
            f'<line x1="{num(frame.left)}" y1="{num(y)}" x2="{num(frame.width - frame.right)}" '
            f'y2="{num(y)}" stroke="#ddd"/>'
        )
        if not mini:
            body.append(
                f'<text x="{num(frame.left - 6)}" y="{num(y + font / 3)}" text-anchor="end" '
                f'font-size="{num(font)}">{label}</text>'
            )
    body += _curve(frame, list(row.get("curve") or []) or fallback_curve(row, slope))
    body += [_model_mark(frame, p, h, radius) for p, h in zip(points, _spread(points), strict=True)]
    body += x_axis(frame, font, None if mini else "parameters (log scale)")
    name = row.get("aspect_name") or row["aspect_key"]
    description = f"{_tested(points)} {ceiling.get('statement', '')}".strip()
    ident = f"plot-{row['aspect_key']}{'-mini' if mini else ''}"
    return svg_document(
        ident,
        (frame.width, frame.height),
        f"P(works) against scale: {name}",
        description,
        body,
        "plot mini" if mini else "plot",
    )


def legend(points: list[ModelPoint], ceiling: dict[str, Any]) -> list[dict[str, Any]]:
    """The keys of the marks a plot shows, each with a small swatch."""

    def swatch(inner: str) -> Markup:
        return Markup(f'<svg class="swatch" viewBox="0 0 28 14" aria-hidden="true">{inner}</svg>')

    items = [
        {"swatch": swatch(marker("circle", 7, 7, 4.5, OUTCOMES[o][0])), "label": OUTCOMES[o][2]}
        for o in OUTCOMES
        if any(p.outcome == o for p in points)
    ]
    items += [
        {"swatch": swatch(marker(STANDARDS[s][0], 7, 7, 4.5, "#555")), "label": STANDARDS[s][1]}
        for s in STANDARDS
        if s != "not_recorded" and any(p.standard == s for p in points)
    ]
    if any(p.low is not None and not p.open_ended for p in points):
        items.append(
            {
                "swatch": swatch(
                    '<line x1="1" y1="7" x2="27" y2="7" stroke="#555" stroke-width="1.6"/>'
                    + marker("circle", 14, 7, 3.5, "#555")
                ),
                "label": "estimated size: range",
            }
        )
    if any(p.open_ended for p in points):
        items.append({"swatch": swatch(arrow(3, 7, 26, "#555")), "label": "undisclosed size: at least"})
    items.append(
        {
            "swatch": swatch(f'<line x1="1" y1="7" x2="27" y2="7" stroke="{CURVE}" stroke-width="1.8"/>'),
            "label": "fitted P(works), on the vertical axis from 0 to 1",
        }
    )
    state = ceiling.get("state")
    if state == "estimated":
        items.append(
            {
                "swatch": swatch(
                    f'<rect x="8" y="1" width="12" height="12" fill="{INTERVAL}"/>'
                    f'<line x1="14" y1="1" x2="14" y2="13" stroke="{CEILING}" stroke-width="2"/>'
                ),
                "label": "ceiling and its 90% interval",
            }
        )
    elif state in ("below_range", "not_reached"):
        items.append(
            {
                "swatch": swatch(
                    arrow(3 if state == "not_reached" else 25, 7, 25 if state == "not_reached" else 3, BOUND)
                ),
                "label": "the bound the evidence allows",
            }
        )
    return items


def figure(row: dict[str, Any], evidence: dict[str, Any] | None, slope: float) -> dict[str, Any]:
    """One aspect's figure: the SVG, its legend and the table of the models it shows."""
    points, unsized = model_points(row["aspect_key"], evidence) if evidence else ([], 0)
    if not points:
        points = engine_points(row)
    return {
        "svg": Markup(plot_svg(row, points, slope)),
        "legend": legend(points, row.get("ceiling") or {}),
        "models": points,
        "unsized": unsized,
        "outcome_words": {k: v[2] for k, v in OUTCOMES.items()},
        "standard_words": {k: v[1] for k, v in STANDARDS.items()},
    }


def aspect_plots(assessment: dict[str, Any], evidence: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """aspect key -> figure, for every row of the ceiling table that is read against scale."""
    slope = float((assessment.get("settings") or {}).get("logistic_slope_per_decade", 1.5))
    return {row["aspect_key"]: figure(row, evidence, slope) for row in assessment.get("aspects", [])}


def mini_plot(row: dict[str, Any], slope: float = 1.5) -> Markup:
    """The small plot of a home-page card, from the engine's binned points."""
    return Markup(plot_svg(row, engine_points(row), slope, mini=True))
