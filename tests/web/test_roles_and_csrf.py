"""Roles are checked on the server for every page and action, and every POST needs the session's CSRF token.

The tables below name the role each route needs; a new route fails these tests until it is classified.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.db.engine import build_engine
from app.evidence.models import Claim
from app.main import create_app
from app.web.csrf import checked_form
from tests.conftest import make_settings
from tests.review.support import ask_for_dual_extraction
from tests.web.pages import fill, page_routes, routes_of

IDS = {
    "claim_id": 1, "source_id": 1, "critique_id": 1, "user_id": 1, "token_id": 1, "aspect_key": "circuits",
    "request_id": 1, "subscription_id": 1, "delivery_id": 1,
}  # fmt: skip
RANK = {None: 0, "viewer": 1, "analyst": 2, "admin": 3}

GET_NEEDS = {
    "/": None,
    "/login": None,
    "/claims": None,
    "/results": None,
    "/sources": None,
    "/claims/{claim_id:int}": None,
    "/sources/{source_id:int}": None,
    "/account/password": "viewer",
    "/account/tokens": "viewer",
    "/claims/new": "analyst",
    "/sources/new": "analyst",
    "/claims/{claim_id:int}/edit": "analyst",
    "/sources/{source_id:int}/edit": "analyst",
    "/claims/{claim_id:int}/critiques/new": "analyst",
    "/critiques/{critique_id:int}/edit": "analyst",
    "/confidence": "analyst",
    "/import": "analyst",
    "/export/sources": None,
    "/export/claims": None,
    "/export/results": None,
    "/review": "analyst",
    "/agreement": None,
    "/extractions/{request_id:int}": "analyst",
    "/extractions/{request_id:int}/mine": "analyst",
    "/admin/users": "admin",
    "/admin/tokens": "admin",
    "/admin/webhooks": "admin",
}
POST_NEEDS = (
    {path: "analyst" for path in routes_of("POST")}
    | {
        "/login": None,
        "/logout": None,
        "/account/password": "viewer",
        "/account/tokens": "viewer",
        "/account/tokens/{token_id:int}/revoke": "viewer",
    }
    | {path: "admin" for path in routes_of("POST") if path.startswith("/admin")}
)


def test_every_page_route_is_classified():
    assert set(routes_of("GET")) == set(GET_NEEDS)


def test_every_post_route_checks_the_csrf_token():
    def calls(dependant):
        yield dependant.call
        for sub in dependant.dependencies:
            yield from calls(sub)

    unchecked = [r.path for r in page_routes() if "POST" in r.methods and checked_form not in set(calls(r.dependant))]
    assert unchecked == []


@pytest.mark.parametrize("who", [None, "viewer", "analyst", "admin"])
def test_each_page_opens_only_for_the_roles_it_needs(make_web, web_db, who):
    with Session(build_engine(web_db)) as session:
        ask_for_dual_extraction(session, session.get(Claim, IDS["claim_id"]))  # request 1
        session.commit()
    web = make_web(who)
    for path, needed in GET_NEEDS.items():
        response = web.get(fill(path, IDS))
        if RANK[who] >= RANK[needed]:
            assert response.status_code == 200, (who, path, response.status_code)
        elif who is None:
            assert response.status_code == 303 and response.headers["location"].startswith("/login?next="), path
        else:
            assert response.status_code == 403 and "Not allowed" in response.text, (who, path)


@pytest.mark.parametrize("who", [None, "viewer", "analyst"])
def test_each_action_is_refused_below_its_role_and_changes_nothing(make_web, who):
    web = make_web(who)
    for path, needed in POST_NEEDS.items():
        if RANK[who] >= RANK[needed]:
            continue
        response = web.post(fill(path, IDS), {"role": "admin", "password": "x" * 12, "username": "intruder"})
        if who is None:
            assert response.status_code == 303 and response.headers["location"].startswith("/login"), path
        else:
            assert response.status_code == 403 and "Not allowed" in response.text, (who, path)
    admin_page = make_web("admin").get("/admin/users").text
    assert "intruder" not in admin_page


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_every_post_without_the_sessions_csrf_token_is_refused(admin, token):
    for path in routes_of("POST"):
        data = {} if token is None else {"csrf_token": token}
        response = admin.post(fill(path, IDS), data, csrf=False)
        assert response.status_code == 403 and "Form refused" in response.text, path
    assert admin.get("/claims/new").status_code == 200  # still signed in: nothing was done


def test_a_token_from_another_session_is_refused(make_web):
    mine, theirs = make_web("analyst"), make_web("analyst")
    response = mine.client.post("/claims/1/delete", data={"csrf_token": theirs.token()}, follow_redirects=False)
    assert response.status_code == 403


def test_without_public_reads_browsing_needs_a_sign_in(web_db, tmp_path):
    app = create_app(make_settings(web_db, tmp_path, public_reads=False))
    with TestClient(app, follow_redirects=False) as client:
        for path in ("/claims", "/results", "/sources", "/claims/1", "/sources/1"):
            response = client.get(path)
            assert response.status_code == 303 and response.headers["location"].startswith("/login"), path
        assert client.get("/login").status_code == 200
