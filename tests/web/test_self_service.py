"""Self-service: every signed-in user manages their own API tokens (read for viewers, write for analysts and up,
checked on the server), shown once with a copy button; editors build reports from the web; the navigation counts
what waits in the review queue."""

from __future__ import annotations

import re

from sqlmodel import select

from app.auth import service
from app.auth.models import ApiToken
from app.evidence.services import queue
from app.reports.models import ReportSnapshot
from tests.web.forms import claim_form, location_id

NEW_TOKEN = re.compile(r'id="new-token" type="text" readonly value="([^"]+)"')


def _create(web, **form) -> tuple[int, str | None]:
    response = web.post("/account/tokens", {"name": "grafana-panel", "scope": "read", "expires_days": "30", **form})
    found = NEW_TOKEN.search(response.text)
    return response.status_code, found.group(1) if found else None


def test_a_viewer_creates_a_read_token_shown_once_with_a_copy_button_and_it_reads_the_api(viewer):
    status, plain = _create(viewer)
    assert status == 200 and plain
    page = viewer.get("/account/tokens").text
    assert plain not in page and "grafana-panel" in page and plain[:8] in page  # listed by its start only
    api = viewer.client.get("/api/v1/claims", headers={"Authorization": f"Bearer {plain}"}, cookies={})
    assert api.status_code == 200
    created = viewer.post("/account/tokens", {"name": "again", "scope": "read", "expires_days": ""})
    assert 'data-copy="new-token"' in created.text and created.headers["cache-control"] == "no-store"


def test_a_viewer_cannot_get_a_write_token_even_by_forging_the_form(viewer):
    assert 'value="write"' not in viewer.get("/account/tokens").text
    status, plain = _create(viewer, scope="write")
    assert status == 422 and plain is None
    with viewer.session() as session:
        assert not session.exec(select(ApiToken).where(ApiToken.name == "grafana-panel")).first()


def test_an_analyst_gets_a_write_token_for_themself_only(analyst):
    status, plain = _create(analyst, scope="write")
    assert status == 200
    with analyst.session() as session:
        user, token = service.user_for_token(session, plain)
        assert (user.username, token.scope) == ("analyst", "write")


def test_nobody_revokes_or_sees_another_users_token(analyst, make_web):
    _, plain = _create(analyst)
    with analyst.session() as session:
        token_id = session.exec(select(ApiToken.id).where(ApiToken.name == "grafana-panel")).one()
    other = make_web("analyst2")
    assert "grafana-panel" not in other.get("/account/tokens").text
    other.post(f"/account/tokens/{token_id}/revoke")
    with analyst.session() as session:
        assert service.user_for_token(session, plain) is not None
    assert analyst.post(f"/account/tokens/{token_id}/revoke").status_code == 303
    with analyst.session() as session:
        assert service.user_for_token(session, plain) is None


def test_signed_out_visitors_are_sent_to_sign_in(anonymous):
    response = anonymous.get("/account/tokens")
    assert response.status_code in (303, 401) or "Sign in" in response.text
    assert anonymous.post("/account/tokens", {"name": "x", "scope": "read"}).status_code != 200


def test_an_editor_builds_a_report_from_the_web_and_analysts_cannot(make_web, analyst):
    editor = make_web("editor")
    assert "Build a report now" in editor.get("/review").text
    assert "Build a report now" not in analyst.get("/review").text
    assert analyst.post("/reports/candidates/build").status_code == 403
    built = editor.post("/reports/candidates/build")
    assert built.status_code == 303
    with editor.session() as session:
        row = session.exec(select(ReportSnapshot)).one()
    assert built.headers["location"] in (f"/reports/{row.id}", f"/reports/candidates/{row.id}")
    again = editor.post("/reports/candidates/build", follow=True)
    assert "nothing written" in again.text


def test_the_navigation_counts_what_waits_in_the_review_queue(make_web, analyst, viewer):
    editor = make_web("editor")
    claim_id = location_id(analyst.post("/claims/new", claim_form()))
    assert analyst.post(f"/claims/{claim_id}/status", {"status": "in_review", "reason": ""}).status_code == 303
    with editor.session() as session:
        user = service.get_user(session, "editor")
        waiting = len(queue.waiting_for(session, user.id, user.role))
        assert queue.count_waiting(session, user.id, user.role) == waiting
    assert waiting > 0
    page = editor.get("/claims").text
    assert f'<span class="badge" aria-hidden="true">{waiting}</span>' in page
    assert 'class="badge"' not in viewer.get("/claims").text
