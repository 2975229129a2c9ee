"""Which stored source an incoming reference is (the same key, or a possible duplicate: the same DOI, arXiv id,
or title + year with no identifier that tells them apart), and how a file's values join a stored source."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from app.evidence.history import diff_fields
from app.evidence.models import Source
from app.evidence.schemas.common import normalize_title
from app.evidence.schemas.sources import SourceIn
from app.evidence.services import sources as source_service

EMPTY = (None, "", [], {})


def identity(values: dict[str, Any]) -> list[tuple[str, Any]]:
    """The identifiers that make two references the same work."""
    out = []
    if values.get("doi"):
        out.append(("same DOI", values["doi"]))
    if values.get("arxiv_id"):
        out.append(("same arXiv id", values["arxiv_id"]))
    if values.get("title"):
        out.append(("same title and year", (normalize_title(values["title"]), values.get("year"))))
    return out


def told_apart(one: Any, other: Any) -> bool:
    """Two works whose DOIs, or whose arXiv ids, differ are different works, whatever their titles say."""
    for name in ("doi", "arxiv_id"):
        a, b = _get(one, name), _get(other, name)
        if a and b and a != b:
            return True
    return False


def _get(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name)


def stored_values(row: Source) -> dict[str, Any]:
    """A stored source in the shape of SourceIn."""
    return {name: getattr(row, name) for name in SourceIn.model_fields}


def overlay(
    row: Source,
    incoming: dict[str, Any],
    *,
    fill_only: bool = False,
    inferred: frozenset[str] | set[str] = frozenset(),
    take: frozenset[str] | set[str] = frozenset(),
) -> SourceIn:
    """The stored source joined with the file's values; what the file does not give is always kept.

    An update of the same key takes the file's values; a merge into another key (fill_only) fills the stored
    source's empty fields only, except the fields in `take` (the user chose the file's value). A value the
    importer guessed (`inferred`, e.g. kind from the entry type) never replaces a stored one. `extra` is
    merged key by key, the stored keys winning in a fill."""
    merged = stored_values(row)
    for name, value in incoming.items():
        if name == "key" or value in EMPTY:
            continue
        if name == "extra":
            merged["extra"] = _merged_extra(row.extra or {}, value, fill_only)
        elif name in inferred and merged.get(name) not in EMPTY:
            continue
        elif not fill_only or name in take or merged.get(name) in EMPTY:
            merged[name] = value
    return SourceIn.model_validate(merged)


def _merged_extra(stored: dict[str, Any], incoming: dict[str, Any], fill_only: bool) -> dict[str, Any]:
    out = dict(stored)
    for fmt, fields in incoming.items():
        before = stored.get(fmt)
        if isinstance(before, dict) and isinstance(fields, dict):
            out[fmt] = {**fields, **before} if fill_only else {**before, **fields}
        elif not fill_only or before in EMPTY:
            out[fmt] = fields
    return out


def conflicts(
    row: Source, incoming: dict[str, Any], merged: SourceIn, inferred: frozenset[str] | set[str] = frozenset()
) -> dict[str, list[Any]]:
    """Fields where the stored source and the file both have a value, differing, and the merge keeps the stored
    one: field -> [stored, from the file]. The user may take the file's value instead (choice `KEY.field=file`).
    A guessed value (`inferred`) is no conflict: it never replaces a stored one."""
    kept = source_service.columns(merged)
    out = {}
    for name, value in incoming.items():
        if name in {"key", "extra"} or name in inferred or value in EMPTY or name not in kept:
            continue
        stored = getattr(row, name)
        if stored not in EMPTY and _plain(stored) != _plain(value) and _plain(kept[name]) == _plain(stored):
            out[name] = [_plain(stored), _plain(value)]
    return out


def _plain(value: Any) -> Any:
    if hasattr(value, "value"):
        return value.value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def changes_of(row: Source, data: SourceIn) -> dict[str, list[Any]]:
    """Field -> [stored, incoming] for every field the write would change."""
    return diff_fields(row, source_service.columns(data))


class StoreIndex:
    """The stored sources a file's references could meet (same key, DOI, arXiv id or normalised title), read in
    a few queries up front instead of five per entry, and kept up to date as the import writes."""

    CHUNK = 500

    def __init__(self, session: Session, incoming: list[dict[str, Any]]):
        self.by_key: dict[str, Source] = {}
        self._by: dict[str, dict[Any, list[Source]]] = {"doi": {}, "arxiv_id": {}, "title_normalized": {}}
        wanted = {
            "key": {v["key"] for v in incoming if v.get("key")},
            "doi": {v["doi"] for v in incoming if v.get("doi")},
            "arxiv_id": {v["arxiv_id"] for v in incoming if v.get("arxiv_id")},
            "title_normalized": {normalize_title(v["title"]) for v in incoming if v.get("title")},
        }
        seen: set[int] = set()
        for name, values in wanted.items():
            ordered = sorted(values)
            for start in range(0, len(ordered), self.CHUNK):
                column = getattr(Source, name)
                for row in session.exec(select(Source).where(column.in_(ordered[start : start + self.CHUNK]))):
                    if row.id not in seen:
                        seen.add(row.id)
                        self.add(row)

    def add(self, row: Source) -> None:
        """A row the import wrote (or found): from now on it is met like a stored one."""
        self.by_key[row.key] = row
        for name, index in self._by.items():
            value = getattr(row, name)
            if value and row not in index.setdefault(value, []):
                index[value].append(row)

    def duplicates(self, data: SourceIn) -> list[tuple[Source, list[str]]]:
        """Stored sources (deleted ones included) sharing the DOI, the arXiv id, or the title with a compatible
        year, and no DOI or arXiv id that tells them apart; with the reasons."""
        rows: dict[int, Source] = {}
        for name, value in (("doi", data.doi), ("arxiv_id", data.arxiv_id), ("title_normalized",
                            normalize_title(data.title))):  # fmt: skip
            for row in self._by[name].get(value, []) if value else []:
                rows[row.id] = row
        found = []
        for row in sorted(rows.values(), key=lambda r: r.id):
            if told_apart(row, data.model_dump()):
                continue
            reasons = []
            if data.doi and row.doi == data.doi:
                reasons.append("same DOI")
            if data.arxiv_id and row.arxiv_id == data.arxiv_id:
                reasons.append("same arXiv id")
            same_title = row.title_normalized == normalize_title(data.title)
            if same_title and (row.year is None or data.year is None or row.year == data.year):
                reasons.append("same title and year")
            if reasons:
                found.append((row, reasons))
        return found

    def holders(self, data: SourceIn | dict[str, Any]) -> dict[str, Source]:
        """The DOI and arXiv id of `data` that a source holds (as it stands now): identifier field -> that source."""
        held = {}
        for name in ("doi", "arxiv_id"):
            value = _get(data, name)
            holder = next((r for r in self._by[name].get(value, []) if getattr(r, name) == value), None)
            if value and holder is not None:
                held[name] = holder
        return held

    def clashes(self, data: SourceIn) -> bool:
        """Whether a new source with these values would take a key, DOI or arXiv id another source holds."""
        return data.key in self.by_key or bool(self.holders(data))
