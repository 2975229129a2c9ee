"""Bulk evidence: claims with their results, and critiques, from CSV or from the seed's YAML format.

CSV (docs/import-export.md lists every column): one row per result; the claim's columns repeat on
each of its rows (and must agree), a claim without results has one row with the result columns
empty. A CSV whose header has `target` holds critiques, one per row, with CritiqueIn's fields.
Lists (aspects, questions) are separated by `;`. `params` takes `70B`, `1.3e9`, a range `2B-28B`,
a point with its range `70B (50B-100B)`, or `undisclosed`; `params_basis` may be left empty and is then
inferred (a point: disclosed; a range: undisclosed; both: estimated).
YAML: one document with `sources`, `claims` and/or `critiques` lists, validated by the seed loader.
Every row goes through the store's pydantic schemas; an error names the file, the line and the field.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from app.evidence.interchange.csvsafe import FORMULA_START
from app.evidence.messages import plain_message
from app.evidence.schemas.claims import ClaimIn
from app.evidence.schemas.critiques import CritiqueIn
from app.evidence.schemas.sources import SourceIn
from app.evidence.seed import read_document_entries, repeated
from app.evidence.sizes import exact_number, number, range_ends

CLAIM_COLUMNS = {"claim_key": "key", "source": "source", "claim_text": "text", "quote": "quote",
                 "locator": "locator", "aspects": "aspects", "questions": "questions", "claim_method": "method",
                 "stance": "stance", "claim_kind": "kind", "confidence": "confidence", "claim_status": "status",
                 "claim_notes": "notes"}  # fmt: skip
RESULT_COLUMNS = {"result_key": "key", "model_name": "model_name", "model_family": "model_family",
                  "params": "params", "params_basis": "params_basis", "params_note": "params_note",
                  "params_estimate_kind": "params_estimate_kind",
                  "result_method": "method", "task": "task", "metric_name": "metric_name",
                  "metric_value": "metric_value", "metric_unit": "metric_unit", "baseline_name": "baseline_name",
                  "baseline_value": "baseline_value", "baseline_method": "baseline_method", "winner": "winner",
                  "higher_is_better": "higher_is_better", "outcome": "outcome", "reach_outcome": "reach_outcome",
                  "evaluation_standard": "evaluation_standard", "sample_size": "sample_size",
                  "safety_impact": "safety_impact", "baseline_safety_impact": "baseline_safety_impact",
                  "safety_metric": "safety_metric", "result_notes": "notes"}  # fmt: skip
COLUMNS = [*CLAIM_COLUMNS, *RESULT_COLUMNS]
CRITIQUE_COLUMNS = list(CritiqueIn.model_fields)
SOURCE_COLUMNS = ["id", "version", "created_at", "updated_at", "deleted_at", *SourceIn.model_fields]
LIST_FIELDS = {"aspects", "questions"}
YAML_SPECS = [("sources", SourceIn, "sources"), ("claims", ClaimIn, "claims"), ("critiques", CritiqueIn, "critiques")]
_POINT_AND_RANGE = re.compile(r"([^()]+?)\s*\(([^()]+)\)")
Item = tuple[str, BaseModel, dict[str, Any]]


def parse(fmt: str, text: str, label: str) -> tuple[list[Item], list[str]]:
    """The items of a bulk file in load order (sources, claims, critiques) and the problems."""
    if fmt == "yaml":
        return _yaml(text, label)
    if fmt == "csv":
        return _csv(text, label)
    return [], [f"{label}: unknown format {fmt!r}"]


def params_values(text: str) -> dict[str, Any]:
    """`70B` -> params; `2B-28B` -> params_low/high; `70B (50B-100B)` -> all three; `undisclosed` -> basis."""
    text = text.strip()
    if not text:
        return {}
    if text.lower() == "undisclosed":
        return {"params_basis": "undisclosed"}
    if text.startswith(">="):
        return {"params_low": number(text[2:].strip()), "params_basis": "undisclosed"}
    with_range = _POINT_AND_RANGE.fullmatch(text)
    ends = range_ends(with_range.group(2)) if with_range else None
    if ends:  # the one parser of sizes reads each part (app/evidence/sizes.py)
        low, high = ends
        return {"params": number(with_range.group(1)), "params_low": number(low), "params_high": number(high),
                "params_basis": "estimated"}  # fmt: skip
    bare_range = range_ends(text)
    if bare_range:
        low, high = bare_range
        return {"params_low": number(low), "params_high": number(high), "params_basis": "undisclosed"}
    return {"params": number(text), "params_basis": "disclosed"}


def params_text(params: float | None, low: float | None, high: float | None, basis: str) -> str:
    """The inverse of params_values, for the CSV export."""
    if basis == "undisclosed" and low is None:
        return "undisclosed"
    if basis == "undisclosed" and high is None:
        return f">={exact_number(low)}"
    point = exact_number(params) if params is not None else ""
    if low is None or (basis == "disclosed" and low == high == params):
        return point
    span = f"{exact_number(low)}-{exact_number(high)}"
    return f"{point} ({span})" if point else span


def _csv(text: str, label: str) -> tuple[list[Item], list[str]]:
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        return [], [f"{label}: not valid CSV: {error}"]
    if not rows:
        return [], [f"{label}:1: the file is empty (expected a header row)"]
    header = [h.strip().lower() for h in rows[0]]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        return [], [f"{label}:1: column(s) {', '.join(dupes)} appear more than once"]
    critique_file = "target" in header
    source_file = "title" in header and "claim_key" not in header
    known = set(SOURCE_COLUMNS if source_file else CRITIQUE_COLUMNS if critique_file else COLUMNS)
    unknown = [h for h in header if h and h not in known]
    if unknown:
        return [], [f"{label}:1: unknown column(s) {', '.join(unknown)}; see docs/import-export.md"]
    records = [
        (line, {name: _unneutralised(value) for name, value in zip(header, row, strict=False)})
        for line, row in enumerate(rows[1:], 2)
        if any(row)
    ]
    if source_file:
        return _sources(records, label)
    return _critiques(records, label) if critique_file else _claims(records, label)


def _sources(records, label: str) -> tuple[list[Item], list[str]]:
    """The sources CSV that `ceiling export sources --format csv` writes: SourceIn's columns (lists `; `-separated,
    extra as JSON); the row's id, version and timestamps are the store's and are ignored."""
    items, problems = [], []
    for line, row in records:
        values: dict[str, Any] = {k: v for k, v in row.items() if k in SourceIn.model_fields and v != ""}
        for name in ("authors", "report_labels"):
            values[name] = [part.strip() for part in values.get(name, "").split("; ") if part.strip()]
        where = f"{label}:{line}: source {values.get('key', '?')!r}"
        try:
            values["extra"] = json.loads(values.get("extra") or "{}")
            values["peer_reviewed"] = {"true": True, "false": False}.get(str(values.get("peer_reviewed", "")).lower(),
                                                                        values.get("peer_reviewed", False))  # fmt: skip
            data = SourceIn.model_validate(values)
            items.append((where, data, values))
        except (ValueError, ValidationError) as error:
            messages = (
                error.errors() if isinstance(error, ValidationError) else [{"loc": ("extra",), "msg": str(error)}]
            )
            problems += [f"{where}: {_loc(e)}: {plain_message(e)}" for e in messages]
    return items, problems


def _yaml(text: str, label: str) -> tuple[list[Item], list[str]]:
    """The entries in the seed's format, in load order; one that does not validate, or repeats an earlier one's
    key, DOI or arXiv id, is skipped alone (the first wins)."""
    entries, invalid, problems = read_document_entries(label, text, YAML_SPECS)
    skipped = {id(entry): reason for entry, reason in [*invalid, *reversed(repeated(entries))]}
    order = {kind: n for n, (_, _, kind) in enumerate(YAML_SPECS)}
    items = []
    for entry in sorted([*entries, *(entry for entry, _ in invalid)], key=lambda e: (order[e.kind], e.line)):
        if id(entry) in skipped:
            items.append(refused(entry.where, entry.kind[:-1], str(entry.data.key), [skipped[id(entry)]]))
        else:
            items.append((entry.where, entry.data, entry.data.model_dump()))
    return items, problems


def refused(where: str, kind: str, key: str, reasons: list[str]) -> Item:
    """An entry the file gives in a form the store cannot take: skipped alone, with its reasons (no data)."""
    return (where, None, {"kind": kind, "key": key, "reason": "; ".join(reasons)})


def _critiques(records, label: str) -> tuple[list[Item], list[str]]:
    items = []
    for line, row in records:
        values = {k: v.strip() for k, v in row.items() if v.strip()}
        where = f"{label}:{line}: critique {values.get('key', '?')!r}"
        try:
            data = CritiqueIn.model_validate(values)
            items.append((where, data, data.model_dump()))
        except ValidationError as error:
            reasons = [f"{_loc(e)}: {plain_message(e)}" for e in error.errors()]
            items.append(refused(where, "critique", values.get("key", "?"), reasons))
    return items, []


def _claims(records, label: str) -> tuple[list[Item], list[str]]:
    claims: dict[str, dict[str, Any]] = {}
    lines: dict[str, list[int]] = {}
    result_lines: dict[tuple[str, int], int] = {}
    reasons: dict[str, list[str]] = {}
    keyless = []
    for line, row in records:
        claim = {f: _claim_value(f, row.get(c, "")) for c, f in CLAIM_COLUMNS.items() if row.get(c, "").strip()}
        key = claim.get("key")
        if not key:
            keyless.append(refused(f"{label}:{line}: claim ''", "claim", "", ["claim_key: required"]))
            continue
        first = claims.setdefault(key, {**claim, "results": []})
        lines.setdefault(key, []).append(line)
        clash = [c for c, f in CLAIM_COLUMNS.items() if f in claim and claim[f] != first.get(f)]
        if clash:
            reasons.setdefault(key, []).append(
                f"line {line}: {', '.join(clash)} differ from line {lines[key][0]} (same claim)"
            )
        result = {f: row.get(c, "").strip() for c, f in RESULT_COLUMNS.items() if row.get(c, "").strip()}
        if result:
            result = {**params_values(result.pop("params", "")), **result}
            if "higher_is_better" in result:
                result["higher_is_better"] = {"yes": True, "true": True, "no": False, "false": False}.get(
                    result["higher_is_better"].lower(), result["higher_is_better"]
                )
            for name in ("metric_value", "baseline_value"):
                if name in result:
                    result[name] = number(result[name])
            result_lines[(key, len(first["results"]))] = line
            first["results"].append(result)
    items = []
    for key, values in claims.items():
        where = f"{label}:{lines[key][0]}: claim {key!r}"
        data, errors = _claim_in(
            values, [result_lines.get((key, i), lines[key][0]) for i in range(len(values["results"]))]
        )
        reasons.setdefault(key, []).extend(errors)
        if reasons[key]:  # the claim and its results are one entry: all of it is skipped, none half-stored
            items.append(refused(where, "claim", key, reasons[key]))
        else:
            items.append((where, data, data.model_dump()))
    return [*items, *keyless], []


def _claim_in(values: dict[str, Any], result_lines: list[int]) -> tuple[ClaimIn | None, list[str]]:
    """The claim with its results, or what is wrong with it: each result's problem names the line it is on."""
    try:
        return ClaimIn.model_validate(values), []
    except ValidationError as error:
        reasons = []
        for e in error.errors():
            loc = e["loc"]
            if len(loc) > 1 and loc[0] == "results":
                column = _result_column(str(loc[2])) if len(loc) > 2 else "result"
                reasons.append(f"line {result_lines[loc[1]]}: {column}: {plain_message(e)}")
            else:
                reasons.append(f"{_claim_column(_loc(e))}: {plain_message(e)}")
        return None, reasons


def _unneutralised(value: str) -> str:
    """Undo the apostrophe our CSV export puts before a cell a spreadsheet would run as a formula."""
    return value[1:] if value.startswith("'") and value[1:2] in FORMULA_START and value[1:2] else value


def _claim_value(field: str, raw: str) -> Any:
    raw = raw.strip()
    if field in LIST_FIELDS:
        return [part.strip() for part in raw.split(";") if part.strip()]
    return raw


def _loc(error: dict) -> str:
    return ".".join(str(p) for p in error["loc"]) or "row"


def _claim_column(field: str) -> str:
    first = field.split(".")[0]
    return next((c for c, f in CLAIM_COLUMNS.items() if f == first), field)


def _result_column(field: str) -> str:
    if field in {"params_low", "params_high"}:
        return "params"
    return next((c for c, f in RESULT_COLUMNS.items() if f == field), field)


def claim_rows(claim: dict[str, Any]) -> list[dict[str, str]]:
    """One claim (ClaimIn shape, with results) as CSV rows in COLUMNS order."""
    base = {c: _cell(claim.get(f)) for c, f in CLAIM_COLUMNS.items()}
    rows = []
    for result in claim.get("results") or [None]:
        row = {**base, **{c: "" for c in RESULT_COLUMNS}}
        if result:
            row.update({c: _cell(result.get(f)) for c, f in RESULT_COLUMNS.items() if f != "params"})
            row["params"] = params_text(
                result.get("params"), result.get("params_low"), result.get("params_high"), result["params_basis"]
            )
            row["params_basis"] = result["params_basis"]
        rows.append(row)
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, int | float):
        return value  # a number stays a number: a negative one is not mistaken for a formula
    return str(getattr(value, "value", value))
