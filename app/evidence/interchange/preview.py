"""Every import is a dry run first: what would be new, unchanged, updated (field by field) or a possible
duplicate, with a choice per duplicate (skip, merge into the stored record, import as new); then one
all-or-nothing commit of exactly that.

`run_import` applies the file inside the caller's transaction. With commit=False it rolls the
transaction back before returning, so the preview is what the commit would do (every rule and
constraint of the store included) and the database is left as it was; with commit=True and no
problems the caller commits. Any problem (a parse error, a field that fails validation, a reference
that does not resolve) means nothing is written, and each problem names the file, line or entry, and field.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from sqlmodel import Session, select

from app.evidence.errors import EvidenceError
from app.evidence.history import Actor
from app.evidence.interchange import bibtex, bulk, csljson, ris
from app.evidence.interchange.identifiers import Incoming
from app.evidence.interchange.matching import changes_of, identity, overlay, store_duplicates
from app.evidence.interchange.reading import DEFAULT_MAX_BYTES, FileRefused, decode, detect_format
from app.evidence.models import Claim, Critique, Result, Source
from app.evidence.schemas.claims import ClaimIn
from app.evidence.schemas.critiques import CritiqueIn
from app.evidence.schemas.results import ResultIn
from app.evidence.schemas.sources import SourceIn
from app.evidence.services import claims, critiques, read, sources
from app.evidence.services.common import by_key

Choice = Literal["skip", "merge", "new"]
CHOICES: tuple[str, ...] = ("skip", "merge", "new")
REFERENCE_PARSERS = {"bibtex": bibtex.parse, "ris": ris.parse, "csljson": csljson.parse}
Progress = Callable[[int, int], None]


@dataclass
class Row:
    """What the import does with one record."""

    where: str
    kind: str  # source | claim | critique
    key: str
    status: str  # new | unchanged | updated | duplicate
    changes: dict[str, list[Any]] = field(default_factory=dict)
    duplicates: list[dict[str, Any]] = field(default_factory=list)  # [{key, id, reasons}]
    choice: str | None = None  # for duplicates: skip | merge | new


@dataclass
class Preview:
    file: str
    format: str
    rows: list[Row] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. a metadata lookup that could not be made
    committed: bool = False

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(r.status for r in self.rows))

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "counts": self.counts, "ok": self.ok}


def run_import(
    session: Session,
    data: bytes,
    filename: str,
    actor: Actor,
    *,
    format: str | None = None,
    choices: dict[str, str] | None = None,
    default_choice: str = "skip",
    commit: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
    complete: Callable[[dict], str | None] | None = None,
) -> Preview:
    """Read, check and apply a file; roll back unless commit is asked and nothing went wrong.

    `complete` (lookup.completer) fills a reference's empty fields from its DOI or arXiv id first."""
    try:
        text = decode(data, filename, max_bytes)
        fmt = format or detect_format(filename, text)
    except FileRefused as error:
        return Preview(filename, format or "?", problems=[str(error)])
    preview = Preview(filename, fmt)
    if fmt in REFERENCE_PARSERS:
        records, preview.problems = REFERENCE_PARSERS[fmt](text, filename)
        items = _references(session, records, preview, complete)
    else:
        items, preview.problems = bulk.parse(fmt, text, filename)
    if not preview.problems:
        _apply(session, items, preview, actor, choices or {}, default_choice, progress)
    if preview.problems or not commit:
        session.rollback()
    else:
        preview.committed = True
    return preview


def _references(session: Session, records: list[Incoming], preview: Preview, complete) -> list[tuple]:
    """Validated SourceIn per record, with the values the file gave (for merging).

    A key the file did not give is made free (`-2`, `-3`...), so it can only match by DOI, arXiv id or title."""
    items, taken, problems = [], set(), preview.problems
    for record in records:
        problems += [f"{record.where}: {p}" for p in record.problems]
        values = {**record.values}
        if record.key_made_up:
            values["key"] = _free_key(session, values["key"], taken)
        note = complete(values) if complete else None
        if note:
            preview.notes.append(f"{record.where}: {note}")
        key = values["key"]
        if key in taken:
            problems.append(f"{record.where}: key {key!r} appears twice in the file")
        taken.add(key)
        try:
            items.append((record.where, SourceIn.model_validate(values), values))
        except ValidationError as error:
            problems += [f"{record.where}: {_field(e)}: {e['msg']}" for e in error.errors()]
    return items


def _free_key(session: Session, key: str, taken: set[str]) -> str:
    candidate, number = key, 1
    while candidate in taken or by_key(session, Source, candidate) is not None:
        number += 1
        candidate = f"{key}-{number}"
    return candidate


def _field(error: dict) -> str:
    return ".".join(str(p) for p in error["loc"]) or "entry"


def _apply(session, items, preview: Preview, actor: Actor, choices: dict, default_choice: str, progress) -> None:
    seen_in_file: dict[tuple[str, Any], str] = {}
    for done, (where, data, values) in enumerate(items, 1):
        try:
            if isinstance(data, SourceIn):
                row = _source(session, where, data, values, actor, choices, default_choice, seen_in_file)
            else:
                row = _evidence(session, where, data, actor)
            preview.rows.append(row)
        except EvidenceError as error:
            preview.problems.append(f"{where}: {error.field + ': ' if error.field else ''}{error.message}")
        if progress:
            progress(done, len(items))


def _source(session, where, data: SourceIn, values, actor, choices, default_choice, seen_in_file) -> Row:
    for ident in identity(values):
        if ident in seen_in_file:
            first = seen_in_file[ident]
            row = Row(where, "source", data.key, "duplicate", choice="skip")
            row.duplicates = [{"key": first, "id": None, "reasons": [f"{ident[0]} as {first} in this file"]}]
            return row
    for ident in identity(values):
        seen_in_file[ident] = data.key
    existing = by_key(session, Source, data.key)
    if existing is not None:
        merged = overlay(existing, values)
        changes = sources.update(session, existing, merged, actor)
        return Row(where, "source", data.key, "updated" if changes else "unchanged", changes)
    found = store_duplicates(session, data)
    if not found:
        sources.create(session, data, actor)
        return Row(where, "source", data.key, "new")
    target, reasons = found[0]
    merged = overlay(target, values)
    dupes = [{"key": r.key, "id": r.id, "reasons": why} for r, why in found]
    if not changes_of(target, merged):
        return Row(where, "source", data.key, "unchanged", duplicates=dupes)
    choice = choices.get(data.key, default_choice)
    row = Row(where, "source", data.key, "duplicate", changes=changes_of(target, merged), duplicates=dupes)
    row.choice = choice
    if choice == "merge":
        sources.update(session, target, merged, actor)
    elif choice == "new":
        sources.create(session, data, actor)
    return row


def _keeping_unlisted_results(session: Session, claim: Claim, data: ClaimIn) -> ClaimIn:
    """An import adds and updates results, never deletes one: the claim's live results the file leaves out stay."""
    listed = {r.key for r in data.results}
    stored = session.exec(
        select(Result).where(Result.claim_id == claim.id, Result.deleted_at.is_(None)).order_by(Result.id)
    ).all()
    kept = [
        ResultIn.model_validate({k: v for k, v in view.model_dump().items() if k in ResultIn.model_fields})
        for view in read.result_views(session, [r for r in stored if r.key not in listed])
    ]
    return data.model_copy(update={"results": [*data.results, *kept]}) if kept else data


def _evidence(session, where: str, data: BaseModel, actor: Actor) -> Row:
    """A claim (with its results) or a critique from a bulk file: created, or updated by key."""
    if isinstance(data, ClaimIn):
        kind, service, model = "claim", claims, Claim
    elif isinstance(data, CritiqueIn):
        kind, service, model = "critique", critiques, Critique
    else:  # pragma: no cover - bulk.parse yields only these
        raise TypeError(type(data))
    existing = by_key(session, model, data.key)
    if existing is None:
        service.create(session, data, actor)
        return Row(where, kind, data.key, "new")
    if existing.deleted_at is not None:
        service.restore(session, existing, actor)
    if isinstance(data, ClaimIn):
        data = _keeping_unlisted_results(session, existing, data)
    changes = service.update(session, existing, data, actor)
    return Row(where, kind, data.key, "updated" if changes else "unchanged", changes)
