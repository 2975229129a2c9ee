"""Report pages: the list of snapshots, each report in four forms, diffs, and the live assessment.

Report pages are the self-contained report HTML with the site's links added; the list and the
diff pages use the site's layout (the web app's base.html). Rendered reports are cached: a
snapshot never changes, and the live view is keyed by its fingerprint.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader
from sqlmodel import Session, select

from app.assessment.asof import parse_instant
from app.assessment.live import AssessmentPending
from app.auth.roles import Role
from app.config import PROJECT_ROOT
from app.db.session import SessionDep, SettingsDep
from app.evidence.models import Claim, Source
from app.evidence.services.visibility import conditions
from app.reports import snapshots
from app.reports.asof_report import as_of_document
from app.reports.changes import change_items, evidence_items
from app.reports.content import ReportDocument
from app.reports.render import MEDIA_TYPES, RENDERERS, TEMPLATES, render_html
from app.web import csrf
from app.web.lookup import PageNotFound
from app.web.render import WEB_DIR, can, review_badge
from app.web.signin import Forbidden, SignInRequired, load_user, reader

router = APIRouter(dependencies=[Depends(load_user), Depends(reader)], include_in_schema=False)
pages = Jinja2Templates(directory=TEMPLATES)
pages.env.loader = ChoiceLoader([FileSystemLoader(TEMPLATES), FileSystemLoader(WEB_DIR / "templates")])
METHOD_DOC = PROJECT_ROOT / "docs" / "scoring.md"
Layers = Annotated[str | None, Query(max_length=10, description="'all' opens every layer (to print everything).")]
_cache: OrderedDict[tuple, str] = OrderedDict()
_pdf_cache: OrderedDict[tuple, bytes] = OrderedDict()
_cache_lock = threading.Lock()


def _cached(key: tuple, produce: Callable[[], str]) -> str:
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    value = produce()
    with _cache_lock:
        _cache[key] = value
        while len(_cache) > 16:
            _cache.popitem(last=False)
    return value


def site_page(request: Request, name: str, context: dict, status_code: int = 200) -> HTMLResponse:
    """A page in the site's layout (the user, a CSRF token factory and the role check, as base.html needs)."""
    from app.web import csrf

    full = {
        "user": getattr(request.state, "who", None),
        "csrf_token": lambda: csrf.token(request),
        "flashes": [],
        "can": can,
        "review_badge": lambda: review_badge(request),
        **context,
    }
    return pages.TemplateResponse(request, name, full, status_code=status_code)


def _row(session: Session, ref: str | int) -> snapshots.ReportSnapshot:
    try:
        return snapshots.resolve(session, ref)
    except snapshots.SnapshotNotFound as error:
        raise PageNotFound(str(error)) from None


def _key(session: Session, kind: str, row: snapshots.ReportSnapshot) -> tuple:
    """A cache key naming the snapshot and the one before it (its changes section), whatever the database."""
    previous = snapshots.previous_of(session, row)
    before = (previous.id, previous.directory, previous.fingerprint) if previous else None
    return (kind, row.id, row.directory, row.fingerprint, before)


def _web_links(session: Session, row: snapshots.ReportSnapshot | None) -> dict:
    links = []
    if row is not None:
        links = [
            ("Markdown", f"/reports/{row.id}.md"),
            ("JSON", f"/reports/{row.id}.json"),
            ("CSV", f"/reports/{row.id}.csv"),
        ]
        previous = snapshots.previous_of(session, row)
        if previous is not None:
            links.append(("Changes since the previous report", f"/reports/{previous.id}/diff/{row.id}"))
    return {"links": links, "method_href": "/reports/method", "pdf": f"/reports/{row.id}.pdf" if row else None}


SITE_HEADER_MARK = "<!-- ceiling:site-header -->"
HEADER_CSS = (WEB_DIR / "static" / "header.css").read_text(encoding="utf-8")


def with_site_header(request: Request, response: HTMLResponse) -> HTMLResponse:
    """A report page with the app's header (the signed-in user's, so never cached with the report) in place of
    its mark, and the header's stylesheet: one header on every page."""
    header = pages.get_template("_site_header.html").render(
        request=request,
        user=getattr(request.state, "who", None),
        can=can,
        csrf_token=lambda: csrf.token(request),
        review_badge=lambda: review_badge(request),
    )
    chrome = f"<style>{HEADER_CSS}</style>\n{header}"  # inline: a report page stays self-contained
    body = response.body.decode("utf-8").replace(SITE_HEADER_MARK, chrome, 1)
    headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")}
    return HTMLResponse(body, status_code=response.status_code, headers=headers)


def _snapshot_html(session: Session, row: snapshots.ReportSnapshot, layers: str | None = None) -> HTMLResponse:
    all_open = layers == "all"
    html = _cached(
        (*_key(session, "html", row), all_open),
        lambda: render_html(snapshots.document(session, row), _web_links(session, row), all_open),
    )
    return HTMLResponse(html)


def _live_html(  # noqa: PLR0913 - the live report's options, each a query parameter of its page
    session: Session, settings, user=None, with_drafts: bool = False, as_of: str | None = None, all_open: bool = False
) -> HTMLResponse:
    """The live report; with `as_of`, the report of that past instant, and the picker to choose it."""
    picker, status, headers = {"value": (as_of or "")[:40], "error": None}, 200, {"Cache-Control": "no-cache"}
    doc: ReportDocument | None = None
    if as_of:
        try:
            doc = as_of_document(session, parse_instant(as_of), settings, with_drafts)
            picker["value"] = doc.meta["as_of"][:19].replace(" ", "T")
        except ValueError as error:
            picker["error"], status = str(error), 422
        except AssessmentPending as pending:  # a large store: computed in the background, the page says so
            detail = str(pending)
            picker["error"], status = f"{detail[:1].upper()}{detail[1:]}.", 503
            headers["Retry-After"] = str(pending.retry_after_s)
    doc = doc or snapshots.live_document(session, settings, with_drafts)
    links = [("Published reports", "/reports")]
    if settings.publish_reviewed_only and can(user, "analyst"):  # the analysts' view beside the published one
        links.append(
            ("Reviewed only", "/assessment") if with_drafts else ("With drafts", "/assessment?with_drafts=true")
        )
    web = {"links": links, "method_href": "/reports/method", "as_of": picker}
    compared = doc.previous and (doc.previous["directory"], doc.previous["fingerprint"])
    key = (
        "live",
        doc.meta["fingerprint"],
        compared,
        tuple(links),
        doc.meta.get("as_of"),
        picker["value"],
        picker["error"],
        all_open,
    )
    html = _cached(key, lambda: render_html(doc, web, all_open))
    return HTMLResponse(html, status_code=status, headers=headers)


@router.get("/reports", response_class=HTMLResponse)
def report_list(request: Request, session: SessionDep) -> HTMLResponse:
    """The published report snapshots, newest first, with links to each form and to the changes."""
    rows = snapshots.get_all(session)
    items = [{"row": row, "previous": rows[i + 1] if i + 1 < len(rows) else None} for i, row in enumerate(rows)]
    return site_page(request, "reports_list.html", {"items": items})


@router.get("/reports/latest", response_class=HTMLResponse)
def latest_report(request: Request, session: SessionDep, settings: SettingsDep, layers: Layers = None) -> HTMLResponse:
    """The newest report; before the first build, the live assessment rendered as a report."""
    row = snapshots.latest(session)
    if row is None:
        return with_site_header(request, _live_html(session, settings, all_open=layers == "all"))
    return with_site_header(request, _snapshot_html(session, row, layers))


@router.get("/reports/method", response_class=PlainTextResponse)
def method_document() -> PlainTextResponse:
    """The scoring method (docs/scoring.md) the reports link to."""
    if not METHOD_DOC.exists():
        raise PageNotFound("The method document (docs/scoring.md) is not installed here.")
    return PlainTextResponse(METHOD_DOC.read_text(encoding="utf-8"), media_type="text/markdown; charset=utf-8")


@router.get("/reports/{snapshot_id:int}", response_class=HTMLResponse)
def report_page(request: Request, snapshot_id: int, session: SessionDep, layers: Layers = None) -> HTMLResponse:
    """One report snapshot as HTML (plots inline); `?layers=all` opens every layer, to print everything."""
    return with_site_header(request, _snapshot_html(session, _row(session, snapshot_id), layers))


@router.get("/reports/claims/{key}")
def claim_by_key(key: str, session: SessionDep) -> RedirectResponse:
    """A claim a report names by key: its page, if the reader may see it."""
    return _by_key(session, Claim, key, "claims")


@router.get("/reports/sources/{key}")
def source_by_key(key: str, session: SessionDep) -> RedirectResponse:
    """A source a report cites by key: its page, if the reader may see it."""
    return _by_key(session, Source, key, "sources")


def _by_key(session: Session, model, key: str, path: str) -> RedirectResponse:
    found = session.exec(
        select(model.id).where(model.key == key[:200], model.deleted_at.is_(None), *conditions(session, model))
    ).first()
    if found is None:
        raise PageNotFound(f"No such {model.__name__.lower()} here (it may have been removed since the report).")
    return RedirectResponse(f"/{path}/{found}", status_code=303)


@router.get("/reports/{ref}.{fmt}")
def report_file(ref: str, fmt: str, session: SessionDep, layers: Layers = None) -> Response:
    """One report snapshot (an id or 'latest') as Markdown (.md), JSON (.json), CSV (.csv) or PDF (.pdf)."""
    if fmt not in ("md", "json", "csv", "pdf"):
        raise PageNotFound(f"No report form .{fmt[:20]}: use .md, .json, .csv or .pdf.")
    row = _row(session, ref)
    if fmt == "pdf":
        return _pdf(session, row, layers == "all")
    body = snapshots.stored_file(session, row, fmt)
    if body is None:  # a snapshot from before its forms were stored in the database
        body = _cached(_key(session, fmt, row), lambda: RENDERERS[fmt](snapshots.document(session, row)))
    headers = {"Content-Disposition": f'inline; filename="{row.directory}.{fmt}"'}
    return Response(body, media_type=MEDIA_TYPES[fmt], headers=headers)


def _pdf(session: Session, row: snapshots.ReportSnapshot, everything: bool) -> Response:
    """The snapshot on A4 by WeasyPrint (docs/reading.md argues the choice): as a browser prints it (the answer,
    the key information, the changes), or with every layer."""
    from app.reports.pdf import render_pdf

    key = (*_key(session, "pdf", row), everything)
    with _cache_lock:
        body = _pdf_cache.get(key)
    if body is None:
        body = render_pdf(render_html(snapshots.document(session, row), None, all_open=everything, for_paper=True))
        with _cache_lock:
            _pdf_cache[key] = body
            while len(_pdf_cache) > 4:
                _pdf_cache.popitem(last=False)
    name = f"ceiling-report-{row.directory}{'-everything' if everything else ''}.pdf"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type="application/pdf", headers=headers)


@router.get("/reports/{a}/diff/{b}", response_class=HTMLResponse)
def report_diff(request: Request, a: str, b: str, session: SessionDep) -> HTMLResponse:
    """What changed between two snapshots (ids or 'latest'), naming the claims and sources responsible."""
    old, new = _row(session, a), _row(session, b)
    diff = snapshots.diff_rows(old, new)
    before, after = json.loads(old.assessment_json), json.loads(new.assessment_json)
    evidence = json.loads(new.evidence_json)
    context = {
        "diff": diff,
        "change_list": change_items(diff, before, after, evidence, _site_link),
        "evidence_list": evidence_items(diff, evidence, _site_link),
    }
    return site_page(request, "report_diff.html", context)


def _site_link(kind: str, key: str, claim_key: str | None) -> str | None:
    """Where a change's evidence links on the site: its claim's page, or its source's."""
    if kind == "source":
        return f"/reports/sources/{key}"
    return f"/reports/claims/{claim_key}" if claim_key else None


@router.get("/assessment", response_class=HTMLResponse)
def live_assessment(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    with_drafts: bool = False,
    as_of: Annotated[str | None, Query(max_length=100)] = None,
    layers: Layers = None,
) -> HTMLResponse:
    """The live assessment as a full report (cached by fingerprint); `as_of` shows a past instant instead.

    With CEILING_PUBLISH_REVIEWED_ONLY it weighs reviewed claims only; analysts may ask for it with drafts."""
    user = getattr(request.state, "who", None)
    if with_drafts and not can(user, "analyst"):
        raise Forbidden(Role.analyst) if user is not None else SignInRequired()
    return with_site_header(request, _live_html(session, settings, user, with_drafts, as_of, layers == "all"))
