"""Editors' pages for staged reports: the candidates, one candidate beside the published report with the
diff, and approving or rejecting it (settings.publish_requires_approval; docs/reports.md)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session

from app.db.session import SessionDep, SettingsDep
from app.evidence.errors import EvidenceError, NotFound
from app.reports import approval, snapshots
from app.reports.build import build_once
from app.reports.render import render_html
from app.web.csrf import CsrfForm
from app.web.forms.formdata import text
from app.web.lookup import PageNotFound
from app.web.render import flash
from app.web.reports import site_page, with_site_header
from app.web.signin import Editor, load_user

router = APIRouter(prefix="/reports/candidates", dependencies=[Depends(load_user)], include_in_schema=False)


def _candidate(session: Session, snapshot_id: int):
    try:
        return approval.get_candidate(session, snapshot_id)
    except NotFound as error:
        raise PageNotFound(error.message) from None


def _review_page(request: Request, session: Session, row, values=None, errors=None, status=200) -> HTMLResponse:
    context = {**approval.review(session, row), "values": values or {}, "errors": errors or {}}
    return site_page(request, "report_review.html", context, status_code=status)


@router.get("", response_class=HTMLResponse)
def candidate_list(request: Request, session: SessionDep, editor: Editor) -> HTMLResponse:
    """Staged reports awaiting an editor, and those already rejected."""
    return site_page(request, "report_candidates.html", {"rows": approval.candidates(session)})


@router.post("/build")
def build_report(request: Request, form: CsrfForm, session: SessionDep, settings: SettingsDep, editor: Editor):
    """Build a report now, as `ceiling report build` does: published at once, or staged for approval when
    settings.publish_requires_approval is on; nothing is written when the evidence is unchanged."""
    session.rollback()  # the build writes in its own transactions, under the build lock
    force = text(form, "force") == "on"
    try:
        outcome = build_once(settings, force=force)
    except Exception as error:  # noqa: BLE001 - shown in one line; the latest report is untouched
        flash(request, f"The report build failed, the latest report is unchanged: {type(error).__name__}.", "error")
        return RedirectResponse("/review", status_code=303)
    if outcome is None:
        flash(request, "Another report build is running; try again when it has finished.", "error")
        return RedirectResponse("/review", status_code=303)
    flash(request, outcome.message, "ok")
    if not outcome.built or outcome.snapshot_id is None:
        return RedirectResponse("/review", status_code=303)
    staged = outcome.directory is None  # a staged candidate is rendered on demand, a published one is written out
    where = f"/reports/candidates/{outcome.snapshot_id}" if staged else f"/reports/{outcome.snapshot_id}"
    return RedirectResponse(where, status_code=303)


@router.get("/{snapshot_id:int}", response_class=HTMLResponse)
def review_candidate(request: Request, snapshot_id: int, session: SessionDep, editor: Editor) -> HTMLResponse:
    """One candidate beside the published report, with what changed, and the approve and reject forms."""
    return _review_page(request, session, _candidate(session, snapshot_id))


@router.get("/{snapshot_id:int}/report", response_class=HTMLResponse)
def candidate_report(request: Request, snapshot_id: int, session: SessionDep, editor: Editor) -> HTMLResponse:
    """The candidate rendered as the report readers would see once it is approved."""
    row = _candidate(session, snapshot_id)
    links = {"links": [("Back to the review", f"/reports/candidates/{row.id}")], "method_href": "/reports/method"}
    page = HTMLResponse(render_html(snapshots.document(session, row), links), headers={"Cache-Control": "no-store"})
    return with_site_header(request, page)


@router.post("/{snapshot_id:int}/approve")
def approve_candidate(
    request: Request, snapshot_id: int, form: CsrfForm, session: SessionDep, settings: SettingsDep, editor: Editor
):
    """Publish the candidate: it becomes the latest report."""
    row = _candidate(session, snapshot_id)
    session.rollback()  # approval writes in its own transaction, under the build lock
    try:
        approval.approve(settings, row.id, editor.username)
    except EvidenceError as error:
        flash(request, error.message, "error")
        return RedirectResponse(f"/reports/candidates/{snapshot_id}", status_code=303)
    flash(request, f"Report {snapshot_id} approved: it is the latest report now.", "ok")
    return RedirectResponse(f"/reports/{snapshot_id}", status_code=303)


@router.post("/{snapshot_id:int}/reject", response_class=HTMLResponse)
def reject_candidate(request: Request, snapshot_id: int, form: CsrfForm, session: SessionDep, editor: Editor):
    """Refuse the candidate with a reason; the published report stays."""
    row = _candidate(session, snapshot_id)
    values = {"reason": text(form, "reason")}
    try:
        approval.reject(session, row.id, editor.username, values["reason"])
    except EvidenceError as error:
        session.rollback()
        errors = {error.field or "reason": error.message}
        return _review_page(request, session, _candidate(session, snapshot_id), values, errors, status=422)
    flash(request, f"Report {snapshot_id} rejected.", "ok")
    return RedirectResponse("/reports/candidates", status_code=303)
