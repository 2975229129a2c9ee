"""New and edit source (duplicates shown before saving), soft delete and restore."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlmodel import Session

from app.auth.models import User
from app.evidence.enums import SourceKind, Verification
from app.evidence.errors import EvidenceError, StaleVersion
from app.evidence.interchange import lookup as metadata
from app.evidence.models import Source
from app.evidence.schemas.common import normalize_title
from app.evidence.schemas.sources import SourceIn
from app.evidence.services import sources as source_service
from app.web.csrf import CsrfForm
from app.web.forms.editing import conflict_view, delete_or_restore, free_key, slug
from app.web.forms.formdata import blank_to_none, lines, service_error, typed, validation_errors
from app.web.lookup import row_or_404
from app.web.movement import save_and_describe
from app.web.render import announce, render
from app.web.signin import Analyst, PageSession, actor, load_user

router = APIRouter(dependencies=[Depends(load_user)], include_in_schema=False)

LABELS = {
    "key": "Key",
    "kind": "Kind",
    "title": "Title",
    "authors": "Authors",
    "year": "Year",
    "published_date": "Published on",
    "venue": "Venue",
    "organization": "Organization",
    "url": "URL",
    "doi": "DOI",
    "arxiv_id": "arXiv id",
    "peer_reviewed": "Peer reviewed",
    "verification": "Verified against the source",
    "report_labels": "Report labels",
    "notes": "Notes",
}
FIELDS = set(LABELS) | {"form"}


def values_of(source: Source) -> dict[str, str]:
    """A saved source as the form shows it."""
    return {
        "key": source.key,
        "kind": source.kind,
        "title": source.title,
        "authors": "\n".join(source.authors or []),
        "year": "" if source.year is None else str(source.year),
        "published_date": source.published_date.isoformat() if source.published_date else "",
        "venue": source.venue or "",
        "organization": source.organization or "",
        "url": source.url or "",
        "doi": source.doi or "",
        "arxiv_id": source.arxiv_id or "",
        "peer_reviewed": "on" if source.peer_reviewed else "",
        "verification": source.verification,
        "report_labels": ", ".join(source.report_labels or []),
        "notes": source.notes or "",
    }


def parse(session: Session, values: dict[str, str]) -> SourceIn:
    """The typed values as a SourceIn (raises ValidationError); an empty key is derived from the title."""
    data = {name: blank_to_none(values[name]) for name in LABELS}
    data["authors"] = lines(values["authors"])
    data["report_labels"] = lines(values["report_labels"], ",\n")
    data["peer_reviewed"] = values["peer_reviewed"] == "on"
    if data["key"] is None and data["title"]:
        data["key"] = free_key(session, Source, slug(data["title"], 4) + (f"-{data['year']}" if data["year"] else ""))
    return SourceIn.model_validate({k: v for k, v in data.items() if v is not None})


def duplicate_reasons(candidate: Source, data: SourceIn) -> list[str]:
    reasons = []
    if data.doi and candidate.doi == data.doi:
        reasons.append("same DOI")
    if data.arxiv_id and candidate.arxiv_id == data.arxiv_id:
        reasons.append("same arXiv id")
    if candidate.title_normalized == normalize_title(data.title):
        reasons.append("same title")
    return reasons


def _page(request: Request, values: dict, errors: dict, *, source: Source | None = None, status: int = 200, **extra):
    context = {
        "values": values,
        "errors": errors,
        "source": source,
        "kinds": [(k.value, k.value.replace("_", " ")) for k in SourceKind],
        "verifications": [(v.value, v.value) for v in Verification],
        "labels": LABELS,
        **extra,
    }
    return render(request, "source_form.html", context, status_code=status)


@router.get("/sources/new", response_class=HTMLResponse)
def new_source_page(request: Request, user: Analyst) -> HTMLResponse:
    """An empty source form."""
    return _page(request, {"kind": "paper", "verification": "partial"}, {})


@router.get("/sources/{source_id:int}/edit", response_class=HTMLResponse)
def edit_source_page(request: Request, source_id: int, session: PageSession, user: Analyst) -> HTMLResponse:
    """The source form filled with the saved source and its version."""
    source = row_or_404(session, Source, source_id)
    return _page(request, values_of(source), {}, source=source, version=source.version)


def looked_up(request: Request, values: dict[str, str]) -> str:
    """Fill the form's empty fields from Crossref / arXiv by its DOI or arXiv id; the message to show."""
    settings = request.app.state.settings
    if not (values["doi"].strip() or values["arxiv_id"].strip()):
        return "Give a DOI or an arXiv id to look up."
    if not settings.metadata_lookup:
        return "Metadata lookup is off (CEILING_METADATA_LOOKUP=false): fill the fields in by hand."
    try:
        found = metadata.lookup(
            doi=values["doi"] or None, arxiv_id=values["arxiv_id"] or None, timeout_s=settings.metadata_timeout_s
        )
    except (ValueError, metadata.LookupUnavailable) as error:
        return f"{error}"
    filled = []
    for name, value in found.items():
        if name in LABELS and not values.get(name, "").strip() and value not in (None, "", []):
            values[name] = "\n".join(value) if isinstance(value, list) else str(value)
            filled.append(LABELS[name])
    if not filled:
        return "Nothing to fill in: those fields hold values already."
    return f"Filled in: {', '.join(filled)}. Check them, then save."


def _save(request: Request, form, session: Session, user: User, source: Source | None):
    values = typed(form, LABELS)
    if source is not None:
        values["key"] = source.key
    version = int(form.get("version") or 0) or None
    if form.get("action") == "lookup":
        note = looked_up(request, values)
        return _page(request, values, {}, source=source, version=version, lookup_note=note)
    try:
        data = parse(session, values)
    except ValidationError as error:
        return _page(request, values, validation_errors(error, FIELDS), source=source, version=version, status=422)
    candidates = source_service.find_duplicates(session, data, exclude_id=source.id if source else None)
    if candidates and form.get("action") != "save_anyway":
        found = [{"source": c, "reasons": duplicate_reasons(c, data)} for c in candidates]
        blocking = any("same DOI" in d["reasons"] or "same arXiv id" in d["reasons"] for d in found)
        return _page(
            request, values, {}, source=source, version=version, duplicates=found, blocking=blocking, status=409
        )
    try:
        saved = save_and_describe(
            request,
            session,
            source,
            lambda: source_service.create(session, data, actor(user)),
            lambda: source_service.update(session, source, data, actor(user), expected_version=version),
        )
    except StaleVersion:
        session.rollback()
        current = row_or_404(session, Source, source.id, include_deleted=True)
        conflict = conflict_view(session, "source", current, LABELS, values_of(current), values)
        return _page(request, values, {}, source=current, version=current.version, conflict=conflict, status=409)
    except EvidenceError as error:
        session.rollback()
        return _page(request, values, service_error(error, FIELDS), source=source, version=version, status=422)
    announce(request, f"Source {saved.key} saved.")
    return RedirectResponse(f"/sources/{saved.id}", status_code=303)


@router.post("/sources/new", response_class=HTMLResponse)
def create_source(request: Request, form: CsrfForm, session: PageSession, user: Analyst):
    """Save a new source, unless it looks like one already stored (then the candidates are shown first)."""
    return _save(request, form, session, user, None)


@router.post("/sources/{source_id:int}/edit", response_class=HTMLResponse)
def update_source(request: Request, source_id: int, form: CsrfForm, session: PageSession, user: Analyst):
    """Save an edited source; if someone saved it meanwhile, show both versions instead."""
    return _save(request, form, session, user, row_or_404(session, Source, source_id))


@router.post("/sources/{source_id:int}/delete")
def delete_source(request: Request, source_id: int, form: CsrfForm, session: PageSession, user: Analyst):
    """Soft-delete a source (refused while it has live claims)."""
    source = row_or_404(session, Source, source_id)
    done = f"Source {source.key} deleted; an admin can restore it from its page."
    write = partial(source_service.delete, session, source, actor(user))
    return delete_or_restore(request, session, write, done, f"/sources/{source_id}")


@router.post("/sources/{source_id:int}/restore")
def restore_source(request: Request, source_id: int, form: CsrfForm, session: PageSession, user: Analyst):
    """Restore a soft-deleted source (an admin: the store's one rule for restores)."""
    source = row_or_404(session, Source, source_id, include_deleted=True)
    write = partial(source_service.restore, session, source, actor(user))
    return delete_or_restore(request, session, write, f"Source {source.key} restored.", f"/sources/{source_id}")
