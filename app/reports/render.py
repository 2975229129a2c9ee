"""A report in four forms from one ReportDocument: self-contained HTML, Markdown, JSON and CSV.

HTML uses Jinja2 autoescaping; Markdown goes through an environment whose `finalize` escapes every
interpolated value (table pipes, angle brackets, backticks, emphasis marks, newlines, bidi controls),
so hostile text in a claim can neither inject markup nor break the layout.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from app.reports.changes import change_items, evidence_items
from app.reports.content import (
    BIDI_CONTROLS,
    ReportDocument,
    context,
    csv_rows,
    impacts,
    params_text,
    visible_bidi,
    words,
)
from app.reports.plots import aspect_plots, mini_plot
from app.reports.reading import cards, findings, headline
from app.reports.trajectory_plot import trajectory_svg
from app.text import shorten_noting_rest

TEMPLATES = Path(__file__).resolve().parent / "templates"
MD_SPECIAL = re.compile(r"([\\`*_\[\]|<>~&])")
SHORT_LIMIT = 600


class MarkdownText(str):
    """Text already in Markdown form: the Markdown environment leaves it as it is."""


def md_escape(value: Any) -> str:
    """Plain text made safe inside Markdown, including table cells: one line, no markup, controls visible."""
    if value is None:
        return ""
    if isinstance(value, MarkdownText):
        return value
    text = " ".join(str(value).split())
    return MD_SPECIAL.sub(r"\\\1", visible_bidi(text))


def isolate_bidi(value: Any) -> Any:
    """HTML: text holding bidi controls is wrapped in <bdi>, so it cannot reorder the text around it."""
    if isinstance(value, str) and not isinstance(value, Markup) and BIDI_CONTROLS.search(value):
        return Markup("<bdi>%s</bdi>") % value
    return value


def shorten(value: Any, limit: int = SHORT_LIMIT) -> str:
    """The report's `shorten` filter: at most SHORT_LIMIT characters unless a template asks for another limit."""
    return shorten_noting_rest(value, limit)


def _grade(value: Any) -> str:
    return words(value.get("final") if isinstance(value, dict) else value)


def _environment(markdown: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=False if markdown else select_autoescape(["html"], default=True),
        finalize=md_escape if markdown else isolate_bidi,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        params=params_text,
        words=words,
        shorten=shorten,
        grade=_grade,
        md=lambda v: MarkdownText(md_escape(v)),
        raw_md=MarkdownText,
        impacts=impacts,
    )
    return env


_HTML = _environment(markdown=False)
_MARKDOWN = _environment(markdown=True)


def answer(assessment: dict[str, Any], previous: dict[str, Any] | None = None, since: str | None = None) -> dict:
    """The answer of app/reports/reading.py with a small plot on each card."""
    slope = float((assessment.get("settings") or {}).get("logistic_slope_per_decade", 1.5))
    shown = cards(assessment, previous, since)
    for card in shown:
        card["plot"] = mini_plot(card["row"], slope) if card["role"] != "impact" else None
    return {"headline": headline(assessment), "cards": shown, "findings": findings(assessment)}


def render_answer(answer_view: dict[str, Any], links: str) -> Markup:
    """The answer's HTML fragment (cards and Summary of Findings) for a page of the site, e.g. the home page."""
    return Markup(_HTML.get_template("_answer.html").render(answer=answer_view, answer_links=links))


ANSWER_CSS = (TEMPLATES / "_answer.css").read_text(encoding="utf-8")


def _claim_links(doc: ReportDocument, web: dict[str, Any] | None):
    """Where a claim or source of the report links: the site's pages, or the report's own anchors in a file."""
    anchored = {
        c["key"]
        for q in doc.evidence.get("questions", [])
        for c in doc.evidence.get("claims", [])
        if q["key"] in c.get("questions", [])
    }

    def claim_href(key: str | None) -> str | None:
        if key is None:
            return None
        if web:
            return f"/reports/claims/{key}"
        return f"#claim-{key}" if key in anchored else None

    def link(kind: str, key: str, claim_key: str | None) -> str | None:
        if kind == "source":
            return f"/reports/sources/{key}" if web else f"#source-{key}"
        return claim_href(claim_key)

    return claim_href, link


def render_html(
    doc: ReportDocument, web: dict[str, Any] | None = None, all_open: bool = False, for_paper: bool = False
) -> str:
    """The self-contained HTML report; `web` adds the site's links (for pages, never for files); `all_open` opens
    every layer (the "print everything" form); `for_paper` leaves out the layers a default print does not show
    (for a PDF maker that does not hide closed layers, as browsers do)."""
    plots = aspect_plots(doc.assessment, doc.evidence)
    trajectory = Markup(trajectory_svg(doc.trajectory)) if doc.trajectory and doc.trajectory["points"] > 1 else None
    claim_href, link = _claim_links(doc, web)
    since = (doc.previous or {}).get("created_at")
    return _HTML.get_template("report.html").render(
        **context(doc),
        plots=plots,
        web=web,
        trajectory=trajectory,
        answer=answer(doc.assessment, doc.previous_assessment, since),
        change_list=change_items(doc.changes, doc.previous_assessment, doc.assessment, doc.evidence, link),
        evidence_list=evidence_items(doc.changes, doc.evidence, link),
        claim_href=claim_href,
        all_open=all_open,
        for_paper=for_paper,
        open_layers=() if doc.changes is None else ("changes",),
    )


def render_markdown(doc: ReportDocument) -> str:
    """The report as Markdown (without plots, which need SVG)."""
    return _MARKDOWN.get_template("report.md").render(**context(doc))


def render_json(doc: ReportDocument) -> str:
    """The Assessment with the report's metadata, changes and reference comparison."""
    ctx = context(doc)
    body = {
        "report": {**doc.meta, "format": "ceiling-report", "summary": ctx["summary"]},
        "assessment": doc.assessment,
        "changes_since_previous": doc.changes,
        "reference_comparison": {"ceiling_table": ctx["ceiling_comparison"], "scale_table": ctx["scale_comparison"]},
        "review": {"publication": doc.evidence.get("publication"), "agreement": doc.evidence.get("agreement", [])},
    }
    return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_csv(doc: ReportDocument) -> str:
    """The ceiling table and the scale table in one CSV (column `table` is 'ceiling' or 'scale')."""
    rows = csv_rows(doc.assessment)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["table"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


RENDERERS = {"html": render_html, "md": render_markdown, "json": render_json, "csv": render_csv}
FILE_NAMES = {"html": "report.html", "md": "report.md", "json": "report.json", "csv": "report.csv"}
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
}
