"""An import's outcome entry by entry, in the user's words: the report the CLI writes (`--report`), the API
answers (`report=csv|json`) and the Import page offers for download, and the labels the previews show."""

from __future__ import annotations

import json
from typing import Any

from app.evidence.interchange.csvsafe import csv_text
from app.evidence.interchange.preview import Preview, Row

REPORT_COLUMNS = ["where", "kind", "key", "action", "status", "reason", "title", "authors", "duplicate_of",
                  "changed", "conflicts", "notes"]  # fmt: skip
LABELS = {"key": "Key", "kind": "Kind", "title": "Title", "authors": "Authors", "year": "Year",
          "published_date": "Date published", "venue": "Venue", "organization": "Organisation", "url": "URL",
          "doi": "DOI", "arxiv_id": "arXiv id", "peer_reviewed": "Peer-reviewed", "verification": "Verification",
          "report_labels": "Report labels", "notes": "Notes", "extra": "Other fields"}  # fmt: skip


def label(name: str) -> str:
    """A source field as a user names it: `arxiv_id` -> `arXiv id`."""
    return LABELS.get(name, name.replace("_", " ").capitalize())


def in_words(value: Any) -> str:
    """A field's value as a person reads it: authors joined by `; `, yes/no, `(empty)`, other fields as `k: v`."""
    if value in (None, "", [], {}):
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(in_words(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {in_words(v)}" for k, v in sorted(value.items()))
    return str(value)


def report_rows(preview: Preview) -> list[dict[str, str]]:
    """One dict per entry, with REPORT_COLUMNS in words."""
    return [_report_row(row) for row in preview.rows]


def _report_row(row: Row) -> dict[str, str]:
    duplicates = "; ".join(f"{d['key']} ({', '.join(d['reasons'])})" for d in row.duplicates)
    return {
        "where": row.where,
        "kind": row.kind,
        "key": row.key,
        "action": row.action,
        "status": row.status,
        "reason": row.reason or "",
        "title": row.title or "",
        "authors": "; ".join(row.authors),
        "duplicate_of": duplicates,
        "changed": "; ".join(f"{label(n)}: {in_words(a)} -> {in_words(b)}" for n, (a, b) in row.changes.items()),
        "conflicts": "; ".join(
            f"{label(n)}: kept {in_words(a)}, file has {in_words(b)}" for n, (a, b) in row.conflicts.items()
        ),  # fmt: skip
        "notes": "; ".join(row.notes),
    }


def report_csv(preview: Preview) -> str:
    """The report as CSV (spreadsheet-safe cells), one line per entry."""
    return csv_text(REPORT_COLUMNS, report_rows(preview))


def report_json(preview: Preview) -> str:
    """The report as JSON: the file, the counts per action, the entries and the file's own problems."""
    body = {"file": preview.file, "format": preview.format, "committed": preview.committed,
            "actions": preview.actions, "problems": preview.problems, "entries": report_rows(preview)}  # fmt: skip
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


REPORT_MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def report(preview: Preview, fmt: str) -> str:
    """The report in `csv` or `json`."""
    return report_csv(preview) if fmt == "csv" else report_json(preview)
