"""The seed loader: YAML files under data/seed/ into the store, idempotently and all or nothing.

Every entry is validated with the same pydantic schemas as the API and the forms, every reference
is resolved, and only then is anything written, in one transaction. A second load of unchanged
files writes nothing; an edited entry is updated in place (matched by its key). Errors name the
file, the line and the entry.

A folder may be partial: a file that is absent means no entries of its kinds, and keys that the
folder refers to (a claim's source, aspects, methods; a critique's target) resolve against the
folder and the store together. So a folder holding only a claims.yaml adds claims to a seeded store.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from sqlmodel import Session, select

from app.evidence.enums import ClaimStatus
from app.evidence.errors import EvidenceError
from app.evidence.history import SEED_ACTOR
from app.evidence.messages import describe
from app.evidence.models import Aspect, Claim, Method, ResearchQuestion, ScaleBand, Source
from app.evidence.schemas.claims import ClaimIn
from app.evidence.schemas.critiques import CritiqueIn
from app.evidence.schemas.sources import SourceIn
from app.evidence.schemas.vocabulary import AspectIn, BandIn, MethodIn, QuestionIn
from app.evidence.services import claims, critiques, sources, vocabulary

# (file, top-level key, schema, counted as), in load order: vocabularies, then what refers to them.
SEED_FILES: list[tuple[str, str, type[BaseModel], str]] = [
    ("vocabulary.yaml", "aspects", AspectIn, "aspects"),
    ("vocabulary.yaml", "questions", QuestionIn, "questions"),
    ("vocabulary.yaml", "bands", BandIn, "bands"),
    ("vocabulary.yaml", "methods", MethodIn, "methods"),
    ("sources.yaml", "sources", SourceIn, "sources"),
    ("claims.yaml", "claims", ClaimIn, "claims"),
    ("critiques.yaml", "critiques", CritiqueIn, "critiques"),
]


@dataclass
class Entry:
    file: str
    line: int
    kind: str
    data: BaseModel

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}: {self.kind[:-1]} {getattr(self.data, 'key', '?')!r}"


@dataclass
class SeedError(Exception):
    """One or more invalid entries; nothing was written."""

    problems: list[str]

    def __str__(self) -> str:
        return f"seed rejected, nothing written ({len(self.problems)} problem(s)):\n" + "\n".join(self.problems)


@dataclass
class SeedReport:
    counts: dict[str, Counter] = field(default_factory=dict)
    marked_reviewed: int = 0  # claims whose file status was draft or in_review

    @property
    def changed(self) -> bool:
        return any(c["created"] or c["updated"] for c in self.counts.values())

    def summary(self) -> str:
        parts = [
            f"{kind}: {c['created']} created, {c['updated']} updated, {c['unchanged']} unchanged"
            for kind, c in self.counts.items()
        ]
        claims = sum(self.counts.get("claims", Counter()).values())
        if claims:
            parts.append(
                f"the seed's {claims} claims are marked reviewed by the seed loader "
                f"({self.marked_reviewed} were draft in the files; retracted ones stay retracted)"
            )
        return "; ".join(parts)


def _describe(error: ValidationError) -> str:
    return describe(error.errors())


def read_entries(seed_dir: Path, store_keys: dict[str, set[str]] | None = None) -> list[Entry]:
    """Parse and validate every entry of every seed file present; raise SeedError listing all problems.

    References resolve against the folder's own keys and `store_keys` (kind -> keys already stored).
    """
    if not seed_dir.is_dir():
        raise SeedError([f"{seed_dir}: not a folder"])
    by_file: dict[str, list[tuple[str, type[BaseModel], str]]] = {}
    for file_name, top_key, schema, kind in SEED_FILES:
        by_file.setdefault(file_name, []).append((top_key, schema, kind))
    present = [name for name in by_file if (seed_dir / name).is_file()]
    if not present:
        expected = ", ".join(sorted(by_file))
        raise SeedError([f"{seed_dir}: no seed file in the folder (expected one or more of {expected})"])
    problems: list[str] = []
    entries: list[Entry] = []
    for file_name in present:
        path = seed_dir / file_name
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            problems.append(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})")
            continue
        found, trouble = read_document(str(path), text, by_file[file_name])
        entries += found
        problems += trouble
    problems += _cross_check(entries, store_keys or {})
    if problems:
        raise SeedError(problems)
    return entries


@dataclass(frozen=True)
class _Unread:
    """What an entry that did not validate is called (its key, or its place in the list)."""

    key: str


def read_document(
    label: str, text: str, specs: list[tuple[str, type[BaseModel], str]]
) -> tuple[list[Entry], list[str]]:
    """The entries under each (top-level key, schema, kind) of one YAML document, validated, and the problems
    (each naming the file, the line and the entry)."""
    entries, refused, problems = read_document_entries(label, text, specs)
    return entries, problems + [f"{entry.where}: {reason}" for entry, reason in refused]


def read_document_entries(
    label: str, text: str, specs: list[tuple[str, type[BaseModel], str]]
) -> tuple[list[Entry], list[tuple[Entry, str]], list[str]]:
    """The entries that validate; those that do not, as (the entry with its raw mapping, why); and the problems
    of the document itself
    (not YAML, a top-level key that is not a list). The bulk YAML import skips the refused entries alone."""
    problems: list[str] = []
    entries: list[Entry] = []
    refused: list[tuple[Entry, str]] = []
    try:
        node, document = yaml.compose(text), yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        return [], [], [f"{label}{line}: not valid YAML: {getattr(error, 'problem', error)}"]
    for top_key, schema, kind in specs:
        if not isinstance(document, dict):
            problems.append(f"{label}:1: expected a mapping with the key {top_key!r}")
            continue
        items = document.get(top_key) or []
        if not isinstance(items, list):
            problems.append(f"{label}: {top_key}: expected a list of entries")
            continue
        item_nodes = _item_nodes(node, top_key)
        for index, raw in enumerate(items):
            line = item_nodes[index].start_mark.line + 1 if index < len(item_nodes) else 0
            name = raw.get("key", f"#{index + 1}") if isinstance(raw, dict) else f"#{index + 1}"
            try:
                entries.append(Entry(label, line, kind, schema.model_validate(raw)))
            except ValidationError as error:
                refused.append((Entry(label, line, kind, _Unread(name)), _describe(error)))
    return entries, refused, problems


def _item_nodes(node: Any, top_key: str) -> list[Any]:
    if node is None or not isinstance(node, yaml.MappingNode):
        return []
    for key_node, value_node in node.value:
        if key_node.value == top_key and isinstance(value_node, yaml.SequenceNode):
            return value_node.value
    return []


def duplicate_problems(entries: list[Entry]) -> list[str]:
    """Keys, DOIs and arXiv ids given twice within the files."""
    return [f"{entry.where}: {reason}" for entry, reason in repeated(entries)]


def repeated(entries: list[Entry]) -> list[tuple[Entry, str]]:
    """Each entry that repeats an earlier one's key (its own or a result's), DOI or arXiv id, and which."""
    found = []
    seen: dict[tuple[str, str], Entry] = {}
    for entry in entries:
        nested = [("results", r.key) for r in getattr(entry.data, "results", [])]
        for ident in [(entry.kind, entry.data.key), *nested]:
            if ident in seen:
                found.append((entry, f"duplicate {ident[0][:-1]} key {ident[1]!r} (also at line {seen[ident].line})"))
            seen[ident] = entry
        for id_field in ("doi", "arxiv_id"):
            value = getattr(entry.data, id_field, None)
            if value:
                ident = (id_field, value)
                if ident in seen:
                    found.append((entry, f"duplicate {id_field} {value!r} (also {seen[ident].where})"))
                seen[ident] = entry
    return found


def _cross_check(entries: list[Entry], store_keys: dict[str, set[str]]) -> list[str]:
    """Duplicates within the files, and references resolved against the files and the store."""
    problems = duplicate_problems(entries)
    keys: dict[str, set[str]] = {}
    for entry in entries:
        keys.setdefault(entry.kind, set()).add(entry.data.key)
    for entry in entries:
        data = entry.data
        references: list[tuple[str, str | None, str]] = []
        if isinstance(data, ClaimIn):
            references += [("source", data.source, "sources"), ("method", data.method, "methods")]
            references += [(f"aspects.{i}", k, "aspects") for i, k in enumerate(data.aspects)]
            references += [(f"questions.{i}", k, "questions") for i, k in enumerate(data.questions)]
            for i, r in enumerate(data.results):
                references += [(f"results.{i}.method", r.method, "methods")]
                references += [(f"results.{i}.baseline_method", r.baseline_method, "methods")]
        if isinstance(data, CritiqueIn):
            references += [("target", data.target, "claims"), ("critic_claim", data.critic_claim, "claims")]
            references += [("critic_source", data.critic_source, "sources")]
        for field_name, key, kind in references:
            if key is not None and key not in keys.get(kind, set()) and key not in store_keys.get(kind, set()):
                problems.append(
                    f"{entry.where}: {field_name}: no {kind[:-1]} with key {key!r} in the seed folder or the store"
                )
    return problems


def _check_against_database(session: Session, entries: list[Entry]) -> list[str]:
    """Identifiers that already belong to other rows (e.g. a DOI added through the API)."""
    problems = []
    for entry in entries:
        data = entry.data
        if isinstance(data, SourceIn):
            for id_field in ("doi", "arxiv_id"):
                value = getattr(data, id_field)
                if value:
                    owner = session.exec(select(Source.key).where(getattr(Source, id_field) == value)).first()
                    if owner is not None and owner != data.key:
                        problems.append(f"{entry.where}: {id_field} {value!r} already belongs to source {owner!r}")
    return problems


UPSERTS = {
    "sources": sources.upsert,
    "claims": claims.upsert,
    "critiques": critiques.upsert,
}


def load_seed(session: Session, seed_dir: Path) -> SeedReport:
    """Validate everything, then write in the caller's transaction; the caller commits."""
    entries = read_entries(seed_dir, stored_keys(session))
    problems = _check_against_database(session, entries)
    if problems:
        raise SeedError(problems)
    report = SeedReport()
    for entry in entries:
        counter = report.counts.setdefault(entry.kind, Counter())
        if isinstance(entry.data, ClaimIn):
            entry.data, was_unreviewed = _as_reviewed(entry.data)
            report.marked_reviewed += was_unreviewed
        try:
            if entry.kind in UPSERTS:
                counter[UPSERTS[entry.kind](session, entry.data, SEED_ACTOR)] += 1
            else:
                counter[vocabulary.upsert(session, entry.kind, entry.data)] += 1
        except EvidenceError as error:
            where = f"{entry.where}: {error.field}" if error.field else entry.where
            raise SeedError([f"{where}: {error.message}"]) from error
    return report


def stored_keys(session: Session) -> dict[str, set[str]]:
    """The keys the store already holds, by seed kind, for a partial folder's references."""
    tables = {"aspects": Aspect, "questions": ResearchQuestion, "bands": ScaleBand, "methods": Method}
    keys = {kind: set(session.exec(select(model.key))) for kind, model in tables.items()}
    keys["sources"] = set(session.exec(select(Source.key).where(Source.deleted_at.is_(None))))
    keys["claims"] = set(session.exec(select(Claim.key).where(Claim.deleted_at.is_(None))))
    return keys


def _as_reviewed(data: ClaimIn) -> tuple[ClaimIn, bool]:
    """The seed is curated evidence: its claims enter the store reviewed (docs/review.md), unless retracted."""
    if data.status is ClaimStatus.retracted:
        return data, False
    return data.model_copy(update={"status": ClaimStatus.reviewed}), data.status is not ClaimStatus.reviewed


def database_is_empty(session: Session) -> bool:
    return session.exec(select(Source.id).limit(1)).first() is None and (
        session.exec(select(Method.key).limit(1)).first() is None
    )
