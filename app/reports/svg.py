"""A few SVG primitives for the report's plots: a log-scale axis, markers, arrows and escaped text.

The plots are written as SVG text directly (no plotting library): the same input gives the same bytes, every
mark can carry a <title> (shown on hover, read by screen readers), and text is sized in the viewBox so that it
stays readable when the figure shrinks to a phone's width.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import escape

from app.reports.content import params_text, visible_bidi


def text(value: object) -> str:
    """Text for an SVG element or attribute: bidi controls made visible, markup escaped."""
    return str(escape(visible_bidi(str(value))))


def num(value: float) -> str:
    """A coordinate with at most one decimal, never '-0'."""
    rounded = round(value, 1)
    return f"{rounded + 0.0:g}"


def decade_label(log10: float) -> str:
    return params_text(10**log10)


@dataclass(frozen=True)
class Frame:
    """The plotting area inside a viewBox of width x height; x is log10 parameters, y runs 0..1 upwards."""

    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float
    lo: float
    hi: float

    def x(self, log10: float) -> float:
        span = self.width - self.left - self.right
        return self.left + (min(max(log10, self.lo), self.hi) - self.lo) / (self.hi - self.lo) * span

    def y(self, value: float) -> float:
        return self.height - self.bottom - value * (self.height - self.top - self.bottom)

    def ticks(self) -> list[int]:
        """Whole decades inside the range, thinned to at most seven labels."""
        decades = list(range(math.ceil(self.lo), math.floor(self.hi) + 1))
        step = max(1, math.ceil(len(decades) / 7))
        return decades[::step]


def x_range(values: list[float], min_span: float = 3.0, pad: float = 0.4) -> tuple[float, float]:
    """A log10 range covering `values` with a margin, at least `min_span` decades wide."""
    if not values:
        return 6.0, 12.0
    lo, hi = min(values) - pad, max(values) + pad
    if hi - lo < min_span:
        mid = (hi + lo) / 2
        lo, hi = mid - min_span / 2, mid + min_span / 2
    return lo, hi


def marker(shape: str, cx: float, cy: float, r: float, colour: str) -> str:
    """A marker: filled or hollow circle, square, diamond or triangle (hollow ones have a white fill)."""
    hollow = shape.startswith("hollow-")
    shape = shape.removeprefix("hollow-")
    paint = f'fill="#fff" stroke="{colour}" stroke-width="1.8"' if hollow else f'fill="{colour}" stroke="#fff"'
    if shape == "square":
        return f'<rect x="{num(cx - r)}" y="{num(cy - r)}" width="{num(2 * r)}" height="{num(2 * r)}" {paint}/>'
    if shape == "diamond":
        d = r * 1.3
        points = f"{num(cx)},{num(cy - d)} {num(cx + d)},{num(cy)} {num(cx)},{num(cy + d)} {num(cx - d)},{num(cy)}"
        return f'<polygon points="{points}" {paint}/>'
    if shape == "triangle":
        d = r * 1.25
        points = f"{num(cx)},{num(cy - d)} {num(cx + d)},{num(cy + d * 0.8)} {num(cx - d)},{num(cy + d * 0.8)}"
        return f'<polygon points="{points}" {paint}/>'
    return f'<circle cx="{num(cx)}" cy="{num(cy)}" r="{num(r)}" {paint}/>'


def arrow(x1: float, y: float, x2: float, colour: str, width: float = 1.6, head: float = 6) -> str:
    """A horizontal arrow from x1 to x2 (its head at x2)."""
    sign = 1 if x2 >= x1 else -1
    tip = f"{num(x2)},{num(y)} {num(x2 - sign * head)},{num(y - head / 2)} {num(x2 - sign * head)},{num(y + head / 2)}"
    return (
        f'<line x1="{num(x1)}" y1="{num(y)}" x2="{num(x2 - sign * head / 2)}" y2="{num(y)}" stroke="{colour}" '
        f'stroke-width="{width}"/><polygon points="{tip}" fill="{colour}"/>'
    )


def vertical_arrow(x: float, y1: float, y2: float, colour: str, head: float = 6) -> str:
    """A vertical arrow from y1 to y2 (its head at y2)."""
    sign = 1 if y2 >= y1 else -1
    tip = f"{num(x)},{num(y2)} {num(x - head / 2)},{num(y2 - sign * head)} {num(x + head / 2)},{num(y2 - sign * head)}"
    return (
        f'<line x1="{num(x)}" y1="{num(y1)}" x2="{num(x)}" y2="{num(y2 - sign * head / 2)}" stroke="{colour}" '
        f'stroke-width="1.6"/><polygon points="{tip}" fill="{colour}"/>'
    )


def x_axis(frame: Frame, font: float, label: str | None) -> list[str]:
    """The baseline, a tick and a label per shown decade, and the axis title."""
    base = frame.height - frame.bottom
    parts = [
        f'<line x1="{num(frame.left)}" y1="{num(base)}" x2="{num(frame.width - frame.right)}" y2="{num(base)}" '
        'stroke="#444"/>'
    ]
    for decade in frame.ticks():
        x = frame.x(decade)
        parts.append(f'<line x1="{num(x)}" y1="{num(base)}" x2="{num(x)}" y2="{num(base + 4)}" stroke="#444"/>')
        parts.append(
            f'<text x="{num(x)}" y="{num(base + 4 + font)}" text-anchor="middle" font-size="{num(font)}">'
            f"{decade_label(decade)}</text>"
        )
    if label:
        parts.append(
            f'<text x="{num((frame.left + frame.width - frame.right) / 2)}" y="{num(frame.height - 4)}" '
            f'text-anchor="middle" font-size="{num(font)}" fill="#444">{text(label)}</text>'
        )
    return parts


def svg_document(
    ident: str, size: tuple[float, float], title: str, description: str, body: list[str], css_class: str
) -> str:
    """An inline <svg> with its accessible name (title) and description, scaled by CSS to its box; `ident` is
    unique on the page (it names the title and description elements)."""
    width, height = size
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" viewBox="0 0 {num(width)} {num(height)}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc" '
        "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif\">"
        f'<title id="{ident}-title">{text(title)}</title><desc id="{ident}-desc">{text(description)}</desc>'
        + "".join(body)
        + "</svg>"
    )
