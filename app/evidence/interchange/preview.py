"""Every import is a dry run first: what each entry would do (new, unchanged, updated field by field, a
possible duplicate with its choice, or skipped with the reason), then a commit of exactly that.

`run_import` applies the file inside the caller's transaction, one savepoint per entry: an entry that
cannot be stored (no title, unreadable, a duplicate key in the file, a rule of the store) is skipped
alone and reported, everything else is written, all in the one transaction (nothing half-written).
With strict=True any skipped entry refuses the whole file instead. With commit=False the transaction
is rolled back before returning, so the preview is what the commit would do and the database is left
as it was. A file that cannot be read at all (size, encoding, format, bulk CSV/YAML errors) is refused.
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
from app.evidence.interchange.matching import StoreIndex, changes_of, conflicts, identity, overlay, told_apart
from app.evidence.interchange.reading import DEFAULT_MAX_BYTES, FileRefused, decode, detect_format
from app.evidence.messages import plain_message
from app.evidence.models import Claim, Critique, Result, Source
from app.evidence.schemas.claims import ClaimIn
from app.evidence.schemas.critiques import CritiqueIn
from app.evidence.schemas.results import ResultIn
from app.evidence.schemas.sources import SourceIn
from app.evidence.services import claims, critiques, read, sources
from app.evidence.services.common import by_key

Choice = Literal["skip", "merge", "new"]
CHOICES: tuple[str, ...] = ("skip", "merge", "new")
FIELD_CHOICES: tuple[str, ...] = ("stored", "file")  # `KEY.field`: keep the stored value, or take the file's
REFERENCE_PARSERS = {"bibtex": bibtex.parse, "ris": ris.parse, "csljson": csljson.parse}
Progress = Callable[[int, int], None]
ACTIONS = {"new": "created", "updated": "updated", "unchanged": "unchanged", "skipped": "skipped"}


@dataclass
class Row:
    """What the import does with one entry."""

    where: str
    kind: str  # source | claim | critique
    key: str
    status: str  # new | unchanged | updated | duplicate | skipped
    changes: dict[str, list[Any]] = field(default_factory=dict)
    duplicates: list[dict[str, Any]] = field(default_factory=list)  # [{key, id, reasons}]
    choice: str | None = None  # for duplicates: skip | merge | new
    reason: str | None = None  # why it is skipped
    notes: list[str] = field(default_factory=list)  # what was kept elsewhere than expected (a year as text)
    conflicts: dict[str, list[Any]] = field(default_factory=dict)  # merge: both sides have a value, stored kept
    title: str | None = None
    authors: list[str] = field(default_factory=list)

    @property
    def action(self) -> str:
        """What was done, in one word: created, updated, unchanged or skipped."""
        if self.status == "duplicate":
            return {"merge": "updated" if self.changes else "unchanged", "new": "created"}.get(self.choice, "skipped")
        return ACTIONS[self.status]


@dataclass
class Preview:
    file: str
    format: str
    rows: list[Row] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. a metadata lookup that could not be made
    committed: bool = False
    strict: bool = False

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(r.status for r in self.rows))

    @property
    def actions(self) -> dict[str, int]:
        return dict(Counter(r.action for r in self.rows))

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        out = {**asdict(self), "counts": self.counts, "actions": self.actions, "ok": self.ok}
        for row, shown in zip(self.rows, out["rows"], strict=True):
            shown["action"] = row.action
        return out


def run_import(
    session: Session,
    data: bytes | str,
    filename: str,
    actor: Actor,
    *,
    format: str | None = None,
    choices: dict[str, str] | None = None,
    default_choice: str = "skip",
    commit: bool = False,
    strict: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
    complete: Callable[[dict], str | None] | None = None,
) -> Preview:
    """Read, check and apply a file; roll back unless commit is asked and nothing refused it.

    `data` is the file's bytes, or its text as an earlier preview decoded it (an upload waiting for its commit).
    `complete` (lookup.completer) fills a reference's empty fields from its DOI or arXiv id first."""
    try:
        text, read_as = (data, None) if isinstance(data, str) else decode(data, filename, max_bytes)
        fmt = format or detect_format(filename, text)
    except FileRefused as error:
        return Preview(filename, format or "?", problems=[str(error)], strict=strict)
    preview = Preview(filename, fmt, strict=strict, notes=[read_as] if read_as else [])
    if fmt in REFERENCE_PARSERS:
        records, preview.problems = REFERENCE_PARSERS[fmt](text, filename)
        items = _references(session, records, preview, complete)
    else:
        items, preview.problems = bulk.parse(fmt, text, filename)
    if not preview.problems:
        _apply(session, items, preview, actor, choices or {}, default_choice, progress)
    if strict:
        preview.problems += [f"{r.where}: {r.reason}" for r in preview.rows if r.status == "skipped"]
    if preview.problems or not commit:
        session.rollback()
    else:
        preview.committed = True
    return preview


def _references(session: Session, records: list[Incoming], preview: Preview, complete) -> list:
    """Per record: a skipped Row (with its reason), or (where, SourceIn, the values the file gave, the record).

    A key the file did not give is made free (`-2`, `-3`...), so it can only match by DOI, arXiv id or title."""
    items: list = []
    taken: dict[str, str] = {}
    for record in records:
        values = {**record.values}
        key = values.get("key") or "?"
        if record.problems:
            items.append(_skipped(record, key, "; ".join(record.problems)))
            continue
        if record.key_made_up:
            values["key"] = key = _free_key(session, key, taken)
        note = complete(values) if complete else None
        if note:
            preview.notes.append(f"{record.where}: {note}")
        if key in taken:
            items.append(_skipped(record, key, f"duplicate key {key!r} in the file (first at {taken[key]})"))
            continue
        taken[key] = record.where
        try:
            items.append((record.where, SourceIn.model_validate(values), values, record))
        except ValidationError as error:
            items.append(_skipped(record, key, "; ".join(_reason(e) for e in error.errors())))
    return items


def _skipped(record: Incoming, key: str, reason: str) -> Row:
    title = record.values.get("title")
    return Row(record.where, "source", key, "skipped", reason=reason, notes=record.notes, title=title)


def _reason(error: dict) -> str:
    name = ".".join(str(p) for p in error["loc"]) or "entry"
    if error["type"] == "missing":
        return f"no {name}"
    return f"{name}: {plain_message(error)}"


def _free_key(session: Session, key: str, taken: dict[str, str]) -> str:
    candidate, number = key, 1
    while candidate in taken or by_key(session, Source, candidate) is not None:
        number += 1
        candidate = f"{key}-{number}"
    return candidate


def _apply(session, items, preview: Preview, actor: Actor, choices: dict, default_choice: str, progress) -> None:
    """Each entry in a savepoint: one the store refuses is undone alone and reported as skipped."""
    seen_in_file: dict[tuple[str, Any], dict[str, Any]] = {}
    _open_transaction(session)
    index = StoreIndex(session, [item[2] for item in items if not isinstance(item, Row) and item[1] is not None])
    for done, item in enumerate(items, 1):
        if isinstance(item, Row):
            preview.rows.append(item)
            continue
        if item[1] is None:  # a bulk entry in a form the store cannot take (bulk.refused)
            preview.rows.append(Row(item[0], item[2]["kind"], item[2]["key"], "skipped", reason=item[2]["reason"]))
            continue
        where, data = item[0], item[1]
        if isinstance(data, SourceIn) and len(item) == 3:  # a sources CSV: no format-specific record
            item = (*item, Incoming(where, item[2]))
        try:
            if isinstance(data, SourceIn):  # refused, if at all, before it writes: no savepoint needed
                row = _source(session, item, actor, choices, default_choice, seen_in_file, index)
            else:
                with session.begin_nested():
                    row = _evidence(session, where, data, actor)
        except EvidenceError as error:
            kind = "source" if isinstance(data, SourceIn) else type(data).__name__.removesuffix("In").lower()
            reason = f"{error.field + ': ' if error.field else ''}{error.message}"
            row = Row(where, kind, data.key, "skipped", reason=reason)
        preview.rows.append(row)
        if progress:
            progress(done, len(items))


def _open_transaction(session: Session) -> None:
    """pysqlite opens a transaction only before a write, so a first SAVEPOINT would be its own transaction and
    its RELEASE a commit (even of a dry run): open the outer transaction first."""
    driver = session.connection().connection.driver_connection
    if session.get_bind().dialect.name == "sqlite" and not driver.in_transaction:
        driver.execute("BEGIN")


def _source(session, item, actor, choices, default_choice, seen_in_file, index: StoreIndex) -> Row:
    where, data, values, record = item
    shown = {"title": data.title, "authors": list(data.authors), "notes": list(record.notes)}
    default = choices.get(data.key, default_choice)
    for ident in identity(values):
        first = seen_in_file.get(ident)
        if first is None or told_apart(first, values):
            continue
        if ident[0] == "same title and year" and default == "new":
            continue  # nothing but the title ties them: the user asked for a new source
        row = Row(where, "source", data.key, "duplicate", choice="skip", **shown)
        row.duplicates = [{"key": first["key"], "id": None, "reasons": [f"{ident[0]} as {first['key']} in this file"]}]
        return row
    for ident in identity(values):
        seen_in_file.setdefault(ident, values)
    existing = index.by_key.get(data.key)
    if existing is not None:
        values = _free_identifiers(values, index, shown["notes"], existing)
        merged = overlay(existing, values, inferred=record.inferred)
        changes = changes_of(existing, merged)
        if changes:
            sources.update(session, existing, merged, actor)
            index.add(existing)
        return Row(where, "source", data.key, "updated" if changes else "unchanged", changes, **shown)
    found = index.duplicates(data)
    if not found:
        _create(session, data, actor, index, shown["notes"])
        return Row(where, "source", data.key, "new", **shown)
    target, _ = found[0]
    values = _free_identifiers(values, index, shown["notes"], target)
    take = {name for name in SourceIn.model_fields if choices.get(f"{data.key}.{name}") == "file"}
    merged = overlay(target, values, fill_only=True, inferred=record.inferred, take=take)
    dupes = [{"key": r.key, "id": r.id, "reasons": why, "title": r.title} for r, why in found]
    changes, clash = changes_of(target, merged), conflicts(target, values, merged, record.inferred)
    if not changes and not clash:
        return Row(where, "source", data.key, "unchanged", duplicates=dupes, **shown)
    row = Row(where, "source", data.key, "duplicate", changes, dupes, default, conflicts=clash, **shown)
    if default == "merge":
        sources.update(session, target, merged, actor)
        index.add(target)
    elif default == "new":
        _create(session, data, actor, index, row.notes)
    return row


IDENTIFIER_AS_BIBTEX = {"doi": "doi", "arxiv_id": "eprint"}


def _free_identifiers(values: dict[str, Any], index: StoreIndex, notes: list[str], owner: Source | None = None) -> dict:
    """The values without a DOI or arXiv id that a source other than `owner` holds. The identifier is one work's
    and the entry another's (Mendeley gave five papers with five DOIs one arXiv id), so the entry is stored
    without it: its text kept in extra["bibtex"] (the BibTeX export writes it back), a note naming the holder."""
    held = {name: row for name, row in index.holders(values).items() if row is not owner}
    if not held:
        return values
    extra = dict(values.get("extra") or {})
    details = dict(extra.get("bibtex") or {})
    for name, holder in held.items():
        details.setdefault(IDENTIFIER_AS_BIBTEX[name], values[name])
        notes.append(f"{name}: {values[name]!r} already belongs to source {holder.key}, another work; kept as text")
    return {**values, **dict.fromkeys(held), "extra": {**extra, "bibtex": details}}


def _create(session: Session, data: SourceIn, actor: Actor, index: StoreIndex, notes: list[str]) -> None:
    """A new source, without an identifier another source holds; a key that is taken is refused by the service."""
    free = _free_identifiers(data.model_dump(), index, notes)
    if (free["doi"], free["arxiv_id"]) != (data.doi, data.arxiv_id):
        data = SourceIn.model_validate(free)
    row = sources.create(session, data, actor) if index.clashes(data) else sources.create_checked(session, data, actor)
    index.add(row)


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
