"""The Import page (upload, the preview with a choice per possible duplicate and per conflicting field, the
per-entry report, commit) and the export links.

The uploaded file waits in the database between preview and commit (pending.py), named by a random token
kept in the signed session and owned by the analyst who uploaded it, so any replica can commit it.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from app.evidence.interchange import lookup as metadata
from app.evidence.interchange import outcomes, pending
from app.evidence.interchange.exports import EXPORT_FORMATS, export_list
from app.evidence.interchange.preview import CHOICES, FIELD_CHOICES, Preview, run_import
from app.evidence.interchange.reading import FORMATS, decode
from app.evidence.services import listing
from app.web.browse import CLAIM_FACETS, FORMAT_NAMES, RESULT_FACETS, SOURCE_FACETS, read_filters
from app.web.csrf import CsrfForm
from app.web.lookup import PageNotFound
from app.web.render import flash, render
from app.web.signin import Analyst, PageSession, Reader, actor, load_user

router = APIRouter(dependencies=[Depends(load_user)], include_in_schema=False)
SESSION_KEY = "import"
LISTS = {
    "sources": (listing.SourceFilters, SOURCE_FACETS),
    "claims": (listing.ClaimFilters, CLAIM_FACETS),
    "results": (listing.ResultFilters, RESULT_FACETS),
}


def _page(request: Request, status: int = 200, **context) -> HTMLResponse:
    formats = [("", "from the file name"), *((f, FORMAT_NAMES[f]) for f in FORMATS)]
    words = {"label": outcomes.label, "in_words": outcomes.in_words}
    context = {"formats": formats, "choices": CHOICES, **words, **context}
    return render(request, "import.html", context, status_code=status)


def _owner(user) -> str:
    return f"user:{user.id}"


def _choices(form) -> dict[str, str]:
    """`choice.KEY` = skip|merge|new and `choice.KEY.field` = stored|file from the preview's selects."""
    out = {}
    for name, value in form.items():
        if name.startswith("choice.") and value in (*CHOICES, *FIELD_CHOICES):  # keys may hold dots
            out[name.removeprefix("choice.")] = value
    return out


def _run(request: Request, session, user, data: bytes | str, name: str, fmt: str | None, commit: bool, form) -> Preview:
    settings = request.app.state.settings
    use_lookup = form.get("lookup") == "on" and settings.metadata_lookup
    return run_import(
        session,
        data,
        name,
        actor(user),
        format=fmt or None,
        choices=_choices(form),
        commit=commit,
        strict=form.get("strict") == "on",
        max_bytes=settings.import_max_bytes,
        complete=metadata.completer(timeout_s=settings.metadata_timeout_s) if use_lookup else None,
    )


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request, user: Analyst) -> HTMLResponse:
    """Upload a BibTeX, RIS, CSL-JSON, CSV or YAML file for a dry run."""
    return _page(request)


@router.post("/import", response_class=HTMLResponse)
async def preview_import(request: Request, form: CsrfForm, session: PageSession, user: Analyst) -> HTMLResponse:
    """Show what the file would do; nothing is written yet."""
    upload = form.get("file")
    fmt = str(form.get("format") or "")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(request, 422, errors={"file": "Choose a file to import."}, values={"format": fmt})
    limit = request.app.state.settings.import_max_bytes
    data = await upload.read(limit + 1)
    preview = _run(request, session, user, data, upload.filename, fmt, False, form)
    if not preview.ok:
        return _page(request, 422, preview=preview, values={"format": fmt})
    hours = request.app.state.settings.import_pending_hours
    text, _ = decode(data, upload.filename, limit)  # the preview read it: the commit reads the same text
    token = pending.save(session, _owner(user), upload.filename, preview.format, text, hours)
    request.session[SESSION_KEY] = {"token": token, "name": upload.filename, "format": preview.format}
    return _page(request, preview=preview, token=token, values={"format": fmt, "strict": form.get("strict") == "on"})


def _waiting(request: Request, form, session, user) -> pending.PendingImport | None:
    """The upload this form names, if it is the one this signed-in analyst is previewing and it has not expired."""
    token = (request.session.get(SESSION_KEY) or {}).get("token", "")
    if not token or form.get("token") != token:
        return None
    return pending.get(session, token, _owner(user))


@router.post("/import/report")
def download_report(request: Request, form: CsrfForm, session: PageSession, user: Analyst) -> Response:
    """The preview's per-entry report (with the choices made) as CSV or JSON."""
    waiting = _waiting(request, form, session, user)
    if waiting is None:
        flash(request, "That import is no longer waiting (committed, or too old): upload it again.", "error")
        return RedirectResponse("/import", status_code=303)
    fmt = "json" if form.get("report") == "json" else "csv"
    preview = _run(request, session, user, waiting.content, waiting.filename, waiting.format, False, form)
    disposition = f'attachment; filename="import-report.{fmt}"'
    media = outcomes.REPORT_MEDIA[fmt]
    return Response(outcomes.report(preview, fmt), media_type=media, headers={"Content-Disposition": disposition})


@router.post("/import/commit", response_class=HTMLResponse)
def commit_import(request: Request, form: CsrfForm, session: PageSession, user: Analyst):
    """Write exactly what the preview showed (with the choices made), in one transaction."""
    waiting = _waiting(request, form, session, user)
    if waiting is None:
        flash(request, "That import is no longer waiting (committed, or too old): upload it again.", "error")
        return RedirectResponse("/import", status_code=303)
    token, name = waiting.token, waiting.filename
    preview = _run(request, session, user, waiting.content, name, waiting.format, True, form)
    if not preview.ok:
        session.rollback()
        return _page(request, 422, preview=preview, token=token, values={})
    pending.drop(session, token)
    request.session.pop(SESSION_KEY, None)
    counts = ", ".join(f"{n} {action}" for action, n in sorted(preview.actions.items()))
    flash(request, f"Imported {name}: {counts}.", "ok")
    target = "/sources" if preview.format in {"bibtex", "ris", "csljson"} else "/claims"
    return RedirectResponse(target, status_code=303)


def _export(request: Request, kind: str, session) -> Response:
    model, facets = LISTS[kind]
    fmt = request.query_params.get("format", "bibtex")
    if fmt not in EXPORT_FORMATS:
        raise PageNotFound(f"Unknown export format {fmt!r}; use {', '.join(EXPORT_FORMATS)}.")
    filters, _, _ = read_filters(request, model, {*facets, "q", "include_deleted", "key"})
    exported = export_list(session, kind, filters, fmt)
    disposition = f'attachment; filename="{exported.filename}"'
    return Response(exported.text, media_type=exported.media_type, headers={"Content-Disposition": disposition})


@router.get("/export/sources")
def export_sources(request: Request, session: PageSession, reader: Reader) -> Response:
    """The sources matching the list's filters as a BibTeX, RIS, CSL-JSON or CSV file."""
    return _export(request, "sources", session)


@router.get("/export/claims")
def export_claims(request: Request, session: PageSession, reader: Reader) -> Response:
    """The claims matching the filters: their sources as references, or themselves as the bulk CSV."""
    return _export(request, "claims", session)


@router.get("/export/results")
def export_results(request: Request, session: PageSession, reader: Reader) -> Response:
    """The results matching the filters: their sources as references, or themselves as the bulk CSV."""
    return _export(request, "results", session)
