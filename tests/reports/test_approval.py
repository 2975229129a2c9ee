"""Editor approval: with CEILING_PUBLISH_REQUIRES_APPROVAL a build is a candidate that readers never see,
until an editor approves it (it becomes latest) or rejects it with a reason. Without it, builds publish."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlmodel import select

from app.auth import service
from app.auth.models import TokenScope
from app.auth.roles import Role
from app.db.engine import get_engine
from app.db.session import session_scope
from app.main import create_app
from app.reports import publish
from app.reports.build import build_snapshot
from app.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.reports.conftest import EDITED_CLAIM, edit_claim, snapshot_rows, visible_entries
from tests.web.conftest import PASSWORD, Web


def _user(settings, name: str, role: Role) -> str:
    """A user who signs in with PASSWORD (cheap hashing), and a write token of theirs."""
    cheap = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    real, service.password_hash = service.password_hash, cheap
    try:
        with session_scope(get_engine(settings.database_url)) as session:
            user = service.create_user(session, name, PASSWORD, role)
            return service.create_token(session, user, "t", TokenScope.write)[1]
    finally:
        service.password_hash = real


def _approving(settings):
    return settings.model_copy(update={"publish_requires_approval": True})


@pytest.fixture
def staged(report_settings):
    """Approval on, SQLite (the approval itself is run on both backends below)."""
    return _approving(report_settings)


@pytest.fixture
def site(staged):
    with TestClient(create_app(staged), follow_redirects=False) as client:
        yield client


def test_a_staged_build_is_invisible_to_readers_and_not_staged_twice(staged, site):
    published = build_snapshot(staged.model_copy(update={"publish_requires_approval": False}))
    edit_claim(staged, EDITED_CLAIM, confidence=0.2, status="retracted")
    candidate = build_snapshot(staged)
    assert candidate.built and candidate.directory is None and "awaiting an editor" in candidate.message
    assert visible_entries(staged.reports_dir) == [published.directory, "latest", "latest.txt"]
    assert publish.current_latest(staged.reports_dir) == published.directory
    assert site.get("/reports/latest").text == site.get(f"/reports/{published.snapshot_id}").text
    assert site.get(f"/reports/{candidate.snapshot_id}").status_code == 404
    assert site.get(f"/api/v1/reports/{candidate.snapshot_id}").status_code == 404
    assert [r["id"] for r in site.get("/api/v1/reports").json()["data"]] == [published.snapshot_id]
    assert site.get("/reports/candidates").status_code in (303, 401)  # readers are sent to sign in
    again = build_snapshot(staged)
    assert not again.built and f"candidate {candidate.snapshot_id}" in again.message


def test_an_editor_approves_the_candidate_beside_the_published_report_and_it_becomes_latest(backend_settings):
    staged = _approving(backend_settings)
    with TestClient(create_app(staged), follow_redirects=False) as site:
        _approve_as_editor(staged, site)


def _approve_as_editor(staged, site) -> None:
    build_snapshot(staged.model_copy(update={"publish_requires_approval": False}))
    _user(staged, "ed", Role.editor)
    _user(staged, "ana", Role.analyst)
    with session_scope(get_engine(staged.database_url)) as session:
        session.add(
            WebhookSubscription(url="http://127.0.0.1:9/", events=["report_published"], secret="s", created_by="t")
        )
    edit_claim(staged, EDITED_CLAIM, confidence=0.2, status="retracted")
    first = build_snapshot(staged)
    edit_claim(staged, "lieberum2023.chinchilla-circuit-scales", status="retracted")
    candidate = build_snapshot(staged)
    rows = {row.id: row for row in snapshot_rows(staged)}
    assert rows[first.snapshot_id].status == "rejected" and "superseded" in rows[first.snapshot_id].review_reason

    analyst = Web(site, staged.database_url).sign_in("ana")
    assert analyst.get(f"/reports/candidates/{candidate.snapshot_id}").status_code == 403
    analyst.post("/logout")
    editor = Web(site, staged.database_url).sign_in("ed")
    review = editor.get(f"/reports/candidates/{candidate.snapshot_id}")
    assert review.status_code == 200 and 'id="review-diff"' in review.text and EDITED_CLAIM in review.text
    assert f'src="/reports/candidates/{candidate.snapshot_id}/report"' in review.text
    assert editor.get(f"/reports/candidates/{candidate.snapshot_id}/report").status_code == 200
    done = editor.post(f"/reports/candidates/{candidate.snapshot_id}/approve")
    assert done.status_code == 303 and done.headers["location"] == f"/reports/{candidate.snapshot_id}"

    row = {r.id: r for r in snapshot_rows(staged)}[candidate.snapshot_id]
    assert row.status == "published" and row.reviewed_by == "ed"
    assert publish.current_latest(staged.reports_dir) == row.directory
    assert (staged.reports_dir / row.directory / "report.html").exists()
    assert site.get("/api/v1/reports/latest").json()["id"] == candidate.snapshot_id
    with session_scope(get_engine(staged.database_url)) as session:
        events = list(session.exec(select(WebhookDelivery.event_id)))
    assert events == [f"snapshot-{candidate.snapshot_id}-report_published"]
    assert editor.post(f"/reports/candidates/{candidate.snapshot_id}/approve").status_code == 404


def test_rejecting_needs_a_reason_shown_beside_the_field_and_a_rejected_candidate_cannot_be_approved(staged, site):
    token = _user(staged, "ed", Role.editor)
    edit_claim(staged, EDITED_CLAIM, confidence=0.2)
    candidate = build_snapshot(staged).snapshot_id
    editor = Web(site, staged.database_url).sign_in("ed")
    short = editor.post(f"/reports/candidates/{candidate}/reject", {"reason": "<b>no"})
    assert short.status_code == 422 and 'id="reason-error"' in short.text and "&lt;b&gt;no</textarea>" in short.text
    headers = {"Authorization": f"Bearer {token}"}
    listed = site.get("/api/v1/reports/candidates", headers=headers).json()
    assert [(c["id"], c["status"]) for c in listed["data"]] == [(candidate, "candidate")]
    refused = site.post(
        f"/api/v1/reports/candidates/{candidate}/reject", headers=headers, json={"reason": "Too early to publish."}
    )
    assert refused.status_code == 200 and refused.json()["status"] == "rejected"
    assert refused.json()["review_reason"] == "Too early to publish."
    late = site.post(f"/api/v1/reports/candidates/{candidate}/approve", headers=headers)
    assert late.status_code == 409 and late.headers["content-type"] == "application/problem+json"
    assert site.get("/api/v1/reports/latest").status_code == 404


def test_without_the_setting_builds_publish_as_before(report_settings):
    assert not report_settings.publish_requires_approval
    outcome = build_snapshot(report_settings)
    assert outcome.directory and snapshot_rows(report_settings)[0].status == "published"


def test_an_analyst_token_cannot_approve(staged, site):
    token = _user(staged, "ana", Role.analyst)
    edit_claim(staged, EDITED_CLAIM, confidence=0.2)
    candidate = build_snapshot(staged).snapshot_id
    answer = site.post(f"/api/v1/reports/candidates/{candidate}/approve", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 403


def test_the_commands_list_approve_and_reject_candidates_as_a_named_editor(staged, monkeypatch):
    from typer.testing import CliRunner

    from app.cli import cli
    from app.config import get_settings

    _user(staged, "ed", Role.editor)
    _user(staged, "ana", Role.analyst)
    edit_claim(staged, EDITED_CLAIM, confidence=0.2)
    first = build_snapshot(staged).snapshot_id
    monkeypatch.setenv("CEILING_DATABASE_URL", staged.database_url)
    monkeypatch.setenv("CEILING_REPORTS_DIR", str(staged.reports_dir))
    get_settings.cache_clear()
    run = CliRunner().invoke
    try:
        assert "candidate" in run(cli, ["report", "candidates"]).output
        not_editor = run(cli, ["report", "approve", str(first), "--by", "ana"])
        assert not_editor.exit_code == 1 and "not an active editor" in not_editor.output
        rejected = run(cli, ["report", "reject", str(first), "--by", "ed", "--reason", "Wait for the replication."])
        assert rejected.exit_code == 0, rejected.output
        edit_claim(staged, EDITED_CLAIM, confidence=0.3)
        second = build_snapshot(staged).snapshot_id
        approved = run(cli, ["report", "approve", str(second), "--by", "ed"])
    finally:
        get_settings.cache_clear()
    assert approved.exit_code == 0, approved.output
    statuses = {row.id: row.status for row in snapshot_rows(staged)}
    assert statuses == {first: "rejected", second: "published"}
