"""Render an Assessment: rich tables, CSV, Markdown or JSON (`ceiling assess --format ...`)."""

from __future__ import annotations

import csv
import io

from rich.console import Console
from rich.table import Table

from app.scoring.schema import AspectRow, Assessment

FORMATS = ("table", "json", "csv", "markdown")


def ceiling_rows(assessment: Assessment) -> list[dict[str, str]]:
    """The ceiling table (one row per aspect, then the overall row) as plain strings."""

    def row(
        key: str, name: str, statement: str, band: str | None, grade: str, evidence: str, path: str, baselines: str
    ) -> dict[str, str]:
        return {
            "aspect": key,
            "name": name,
            "ceiling": statement,
            "band_ceiling": band or "none",
            "grade": grade,
            "key_evidence": evidence,
            "path_forward": path,
            "baselines": baselines,
        }

    def cite(refs) -> str:
        return "; ".join(f"{r.claim_key} ({r.source_key})" for r in refs)

    def grade(a: AspectRow) -> str:
        text = a.confidence.final.replace("_", " ")
        return f"{text} (override; suggested {a.confidence.suggested})" if a.confidence.override else text

    rows = [
        row(
            a.aspect_key,
            a.aspect_name,
            a.ceiling.statement,
            a.band_ceiling,
            grade(a),
            cite(a.key_evidence),
            cite(a.path_forward),
            "; ".join(c.text for c in a.baseline_comparisons),
        )
        for a in assessment.aspects
    ]
    o = assessment.overall
    rows.append(
        row(
            "overall",
            "Overall",
            o.statement,
            o.band_ceiling,
            o.confidence.replace("_", " "),
            cite(o.key_evidence),
            cite(o.path_forward),
            "",
        )
    )
    rows.append(row("safety_row", "Safety impact (counts)", assessment.safety.statement, None, "", "", "", ""))
    return rows


def scale_rows(assessment: Assessment) -> list[dict[str, str]]:
    """The scale table (aspect x band) as plain strings."""
    return [
        {
            "aspect": c.aspect_key,
            "band": c.band_key,
            "status": c.status,
            "mean": f"{c.mean:.2f}",
            "interval": f"{c.low:.2f}-{c.high:.2f}",
            "weight": f"{c.weight:.2f}",
            "results": str(c.n_results),
            "barriers": "; ".join(f"{b.key} ({b.source_key})" for b in c.barriers),
        }
        for c in assessment.scale_table
    ]


def _csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else [], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def to_csv(assessment: Assessment) -> str:
    """Both tables as CSV: the ceiling table, a blank line, then the scale table."""
    return _csv(ceiling_rows(assessment)) + "\n" + _csv(scale_rows(assessment))


def _markdown(rows: list[dict[str, str]]) -> str:
    if not rows:
        return ""
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r[h].replace("|", "\\|") for h in header) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def to_markdown(assessment: Assessment) -> str:
    """Both tables as Markdown, with headings."""
    return (
        f"## Tractability ceiling by aspect\n\n{_markdown(ceiling_rows(assessment))}\n"
        f"## Status by scale\n\n{_markdown(scale_rows(assessment))}"
    )


def to_json(assessment: Assessment) -> str:
    """The whole assessment as JSON (byte-identical for identical inputs)."""
    return assessment.model_dump_json(indent=2)


def rich_tables(assessment: Assessment) -> list[Table]:
    """The ceiling table and the scale table (bands as columns) as rich Tables."""
    ceiling = Table(title="Tractability ceiling by aspect", show_lines=True)
    for column in ("Aspect", "Ceiling", "Band", "Grade", "Key evidence", "Path forward", "Baselines"):
        ceiling.add_column(column, overflow="fold")
    for r in ceiling_rows(assessment):
        ceiling.add_row(
            r["name"], r["ceiling"], r["band_ceiling"], r["grade"], r["key_evidence"], r["path_forward"], r["baselines"]
        )
    bands = [b.key for b in assessment.bands]
    scale = Table(title="Status by scale (posterior mean, 90% interval)", show_lines=True)
    scale.add_column("Aspect")
    for band in assessment.bands:
        scale.add_column(band.name, overflow="fold")
    for aspect in (a for a in assessment.aspects if a.role != "impact"):  # safety has counts, not P(works)
        cells = {c.band_key: c for c in assessment.scale_table if c.aspect_key == aspect.aspect_key}
        scale.add_row(
            aspect.aspect_name,
            *[f"{cells[b].status}\n{cells[b].mean:.2f} ({cells[b].low:.2f}-{cells[b].high:.2f})" for b in bands],
        )
    return [ceiling, scale]


def to_table_text(assessment: Assessment, width: int = 160) -> str:
    """The rich tables rendered to plain text."""
    console = Console(record=True, width=width, file=io.StringIO())
    for table in rich_tables(assessment):
        console.print(table)
    return console.export_text()


def render(assessment: Assessment, fmt: str = "table") -> str:
    """Render in one of FORMATS; 'table' gives the rich tables as text."""
    renderers = {"table": to_table_text, "json": to_json, "csv": to_csv, "markdown": to_markdown}
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return renderers[fmt](assessment)


__all__ = ["FORMATS", "render", "rich_tables", "to_csv", "to_json", "to_markdown", "to_table_text"]
