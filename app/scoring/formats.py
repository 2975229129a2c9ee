"""Render an Assessment: rich tables, CSV, Markdown or JSON (`ceiling assess --format ...`)."""

from __future__ import annotations

import csv
import io

from rich.console import Console
from rich.table import Table

from app.scoring.schema import AspectRow, Assessment, BandCell

FORMATS = ("table", "json", "csv", "markdown")


def ceiling_rows(assessment: Assessment) -> list[dict[str, str]]:
    """The ceiling table (one row per aspect, then the overall row) as plain strings."""

    def row(
        key: str,
        name: str,
        statement: str,
        band: str,
        grade: str,
        evidence: str,
        path: str,
        baselines: str,
        change: str = "",
    ) -> dict[str, str]:
        return {
            "aspect": key,
            "name": name,
            "ceiling": statement,
            "band_ceiling": band,
            "grade": grade,
            "key_evidence": evidence,
            "path_forward": path,
            "baselines": baselines,
            "what_would_change_it": change,
        }

    def band(a: AspectRow) -> str:
        if a.band_ceiling is None:
            return "none"
        return f"{a.band_ceiling} (single study)" if a.band_ceiling_single_study else a.band_ceiling

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
            band(a),
            grade(a),
            cite(a.key_evidence),
            cite(a.path_forward),
            "; ".join(c.text for c in a.baseline_comparisons),
            a.what_would_change,
        )
        for a in assessment.aspects
    ]
    o = assessment.overall
    rows.append(
        row(
            "overall",
            "Overall",
            o.statement,
            "; ".join(f"{p.aspect_key}: {p.band_ceiling or 'none'}" for p in o.parts),
            o.confidence.replace("_", " "),
            cite(o.key_evidence),
            cite(o.path_forward),
            "",
        )
    )
    rows.append(row("safety_row", "Safety impact (counts)", assessment.safety.statement, "none", "", "", "", ""))
    return rows


def scale_rows(assessment: Assessment) -> list[dict[str, str]]:
    """The scale table (aspect x band) as plain strings."""
    return [
        {
            "aspect": c.aspect_key,
            "band": c.band_key,
            "status": c.status + (" (single study)" if c.single_study else ""),
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
    columns = (
        "Aspect",
        "Ceiling",
        "Band",
        "Grade",
        "Key evidence",
        "Path forward",
        "Baselines",
        "What would change it",
    )
    for column in columns:
        ceiling.add_column(column, overflow="fold")
    for r in ceiling_rows(assessment):
        ceiling.add_row(
            *[r[k] for k in ("name", "ceiling", "band_ceiling", "grade", "key_evidence")],
            *[r[k] for k in ("path_forward", "baselines", "what_would_change_it")],
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
            *[cell_text(cells[b]) for b in bands],
        )
    return [ceiling, scale]


def cell_text(cell: BandCell) -> str:
    """A scale-table cell in words: status (single study when one source), mean and interval."""
    status = cell.status.replace("_", " ") + (" (single study)" if cell.single_study else "")
    return f"{status}\n{cell.mean:.2f} ({cell.low:.2f}-{cell.high:.2f})"


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
