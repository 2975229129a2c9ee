"""The Import page (upload, the preview with a choice per possible duplicate, commit) and the export links.

The uploaded file waits in a private temporary folder between preview and commit, named by a random
token kept in the signed session, so only the analyst who uploaded it can commit it.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from app.evidence.interchange import lookup as metadata
from app.evidence.interchange.exports import EXPORT_FORMATS, export_list
from app.evidence.interchange.preview import CHOICES, Preview, run_import
from app.evidence.interchange.reading import FORMATS
from app.evidence.services import listing
from app.web.browse import CLAIM_FACETS, FORMAT_NAMES, RESULT_FACETS, SOURCE_FACETS, read_filters
from app.web.csrf import CsrfForm
from app.web.lookup import PageNotFound
from app.web.render import flash, render
from app.web.signin import Analyst, PageSession, Reader, actor, load_user

router = APIRouter(dependencies=[Depends(load_user)], include_in_schema=False)
UPLOADS = Path(tempfile.gettempdir()) / "ceiling-imports"
STALE_AFTER_S = 6 * 3600
SESSION_KEY = "import"
LISTS = {
    "sources": (listing.SourceFilters, SOURCE_FACETS),
    "claims": (listing.ClaimFilters, CLAIM_FACETS),
    "results": (listing.ResultFilters, RESULT_FACETS),
}


def _page(request: Request, status: int = 200, **context) -> HTMLResponse:
    formats = [("", "from the file name"), *((f, FORMAT_NAMES[f]) for f in FORMATS)]
    return render(request, "import.html", {"formats": formats, "choices": CHOICES, **context}, status_code=status)


def _sweep() -> None:
    UPLOADS.mkdir(mode=0o700, exist_ok=True)
    for path in UPLOADS.glob("*.upload"):
        if time.time() - path.stat().st_mtime > STALE_AFTER_S:
            path.unlink(missing_ok=True)


def _run(request: Request, session, user, data: bytes, name: str, fmt: str | None, commit: bool, form) -> Preview:
    settings = request.app.state.settings
    use_lookup = form.get("lookup") == "on" and settings.metadata_lookup
    return run_import(
        session,
        data,
        name,
        actor(user),
        format=fmt or None,
        choices={k.removeprefix("choice."): v for k, v in form.items() if k.startswith("choice.") and v in CHOICES},
        commit=commit,
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
    _sweep()
    token = secrets.token_urlsafe(24)
    (UPLOADS / f"{token}.upload").write_bytes(data)
    request.session[SESSION_KEY] = {"token": token, "name": upload.filename, "format": preview.format}
    return _page(request, preview=preview, token=token, values={"format": fmt})


@router.post("/import/commit", response_class=HTMLResponse)
def commit_import(request: Request, form: CsrfForm, session: PageSession, user: Analyst):
    """Write exactly what the preview showed (with the choices made), all or nothing."""
    pending = request.session.get(SESSION_KEY) or {}
    path = UPLOADS / f"{pending.get('token', '')}.upload"
    if not pending or form.get("token") != pending.get("token") or not path.is_file():
        flash(request, "That import is no longer waiting (committed, or too old): upload it again.", "error")
        return RedirectResponse("/import", status_code=303)
    preview = _run(request, session, user, path.read_bytes(), pending["name"], pending["format"], True, form)
    if not preview.ok:
        session.rollback()
        return _page(request, 422, preview=preview, token=pending["token"], values={})
    path.unlink(missing_ok=True)
    request.session.pop(SESSION_KEY, None)
    counts = ", ".join(f"{n} {status}" for status, n in sorted(preview.counts.items()))
    flash(request, f"Imported {pending['name']}: {counts}.", "ok")
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
