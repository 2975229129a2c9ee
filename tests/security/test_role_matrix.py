"""Every POST route of the web pages, walked as every role: a role below the route's writes nothing and is
refused (anonymous visitors are sent to sign in, lower roles get 403); the route's own role gets through.

The table below names each route's lowest role; a route missing from it fails the test, so a new form is
walked as soon as it exists. Restores are the admins' alone (app/evidence/services/common.check_restore), as in
the API (tests/api: restore answers 403 to an analyst's write token)."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select, text
from sqlmodel import Session

from app.auth.models import ApiToken, User
from app.auth.roles import ROLE_RANK, Role
from app.db.engine import build_engine
from app.db.tables import metadata
from app.evidence.history import Actor
from app.evidence.models import Claim, Critique, Source
from app.evidence.services import claims, critiques, extraction, sources
from tests.test_docs import _operations

LOWEST_ROLE = {
    "/login": None,
    "/logout": None,
    "/account/password": Role.viewer,
    "/account/tokens": Role.viewer,
    "/account/tokens/{token_id}/revoke": Role.viewer,
    "/admin/users": Role.admin,
    "/admin/users/{user_id}/role": Role.admin,
    "/admin/users/{user_id}/active": Role.admin,
    "/admin/users/{user_id}/sessions/revoke": Role.admin,
    "/admin/users/{user_id}/password": Role.admin,
    "/admin/tokens": Role.admin,
    "/admin/tokens/{token_id}/revoke": Role.admin,
    "/admin/webhooks": Role.admin,
    "/admin/webhooks/{subscription_id}/active": Role.admin,
    "/admin/webhooks/{subscription_id}/delete": Role.admin,
    "/admin/webhooks/deliveries/{delivery_id}/retry": Role.admin,
    "/confidence": Role.analyst,
    "/confidence/{aspect_key}/clear": Role.analyst,
    "/import": Role.analyst,
    "/import/commit": Role.analyst,
    "/reports/candidates/build": Role.editor,
    "/import/report": Role.analyst,
    "/reports/candidates/{snapshot_id}/approve": Role.editor,
    "/reports/candidates/{snapshot_id}/reject": Role.editor,
    "/claims/{claim_id}/status": Role.analyst,
    "/claims/{claim_id}/extractions": Role.editor,
    "/extractions/{request_id}/mine": Role.analyst,
    "/extractions/{request_id}/resolve": Role.editor,
    "/claims/new": Role.analyst,
    "/claims/{claim_id}/edit": Role.analyst,
    "/claims/{claim_id}/delete": Role.analyst,
    "/claims/{claim_id}/restore": Role.admin,
    "/claims/{claim_id}/critiques/new": Role.analyst,
    "/critiques/{critique_id}/edit": Role.analyst,
    "/critiques/{critique_id}/delete": Role.analyst,
    "/critiques/{critique_id}/restore": Role.admin,
    "/sources/new": Role.analyst,
    "/sources/{source_id}/edit": Role.analyst,
    "/sources/{source_id}/delete": Role.analyst,
    "/sources/{source_id}/restore": Role.admin,
}
# A form that would do something on most routes (a name, a password, a role, a status, a reason, texts).
PAYLOAD = {
    "username": "mallory", "password": "a long enough password", "role": "admin", "active": "true",
    "current": "correct-horse-battery", "new": "a long enough password", "again": "a long enough password",
    "to": "in_review", "reason": "a reason of some length", "grade": "high", "aspect": "features",
    "text": "Matrix text", "title": "Matrix title", "kind": "preprint", "name": "matrix", "scope": "write",
    "user": "analyst", "url": "https://example.org/hook", "event": "report_published",
    "first_analyst": "analyst", "second_analyst": "analyst2", "version": "1",
}  # fmt: skip
WHO = [None, "viewer", "analyst", "editor", "admin"]
UNTRACKED = {"user_session", "login_failure", "assessment_cache", "assessment_version", "scoring_settings_record"}


def web_post_routes(app) -> list[str]:
    return sorted(
        {
            path.replace(":int", "")
            for method, path, module in _operations(app)
            if method == "POST" and module.startswith("app.web.")
        }
    )


def database_digest(url: str) -> str:
    """A digest of every row of every table that a refused request must leave alone."""
    digest = hashlib.sha256()
    engine = build_engine(url)
    with engine.connect() as connection:
        for name, table in sorted(metadata.tables.items()):
            if name in UNTRACKED:
                continue
            for row in connection.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    engine.dispose()
    return digest.hexdigest()


def _ids(url: str) -> dict[str, str]:
    """Path values: deleted rows for the restores, live ones elsewhere, made-up ids where no row is needed."""
    engine = build_engine(url)
    admin = Actor("admin", None, Role.admin)
    with Session(engine) as session:
        claim_id, critique_id = session.exec(
            text("SELECT target_claim_id, id FROM critique WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
        ).one()
        gone_critique = session.exec(select(Critique).where(Critique.id != critique_id).limit(1)).scalars().one()
        critiques.delete(session, gone_critique, admin)
        gone_claim = session.exec(select(Claim).where(Claim.id != claim_id).order_by(Claim.id.desc())).scalars().first()
        claims.delete(session, gone_claim, admin)
        gone_source = sources.create(session, sources.SourceIn(key="matrix-gone", kind="preprint", title="Gone"), admin)
        sources.delete(session, gone_source, admin)
        source_id = session.exec(select(Source.id).where(Source.deleted_at.is_(None))).scalars().first()
        viewer_id = session.exec(select(User.id).where(User.username == "viewer")).scalars().one()
        people = {u.username: u for u in session.exec(select(User)).scalars()}
        editor = Actor("editor", people["editor"].id, Role.editor)
        draft = session.exec(select(Claim).where(Claim.id.not_in([claim_id, gone_claim.id])).limit(1)).scalars().one()
        draft.status = "draft"  # the seed's claims are all reviewed; a dual extraction needs one under review
        first, second = (Actor(n, people[n].id, Role.analyst) for n in ("analyst", "analyst2"))
        request_id = extraction.start(session, draft, editor, Role.editor, first, second).id
        token_id = session.exec(select(ApiToken.id)).scalars().first()
        session.commit()
        ids = {
            "claim_id": claim_id, "critique_id": critique_id, "source_id": source_id, "user_id": viewer_id,
            "token_id": token_id or 999999, "aspect_key": "features", "snapshot_id": 999999, "request_id": request_id,
            "subscription_id": 999999, "delivery_id": 999999,
        }  # fmt: skip
        restores = {"claim_id": gone_claim.id, "critique_id": gone_critique.id, "source_id": gone_source.id}
    engine.dispose()
    return {k: str(v) for k, v in ids.items()}, {k: str(v) for k, v in restores.items()}


def _path(route: str, ids: dict, restores: dict) -> str:
    values = restores if route.endswith("/restore") else ids
    return route.format(**values)


def _below(role: str | None, lowest: Role | None) -> bool:
    if lowest is None:
        return False
    return role is None or ROLE_RANK[Role(role)] < ROLE_RANK[lowest]


def test_every_web_post_route_is_in_the_matrix(web_app):
    assert web_post_routes(web_app) == sorted(LOWEST_ROLE)


@pytest.mark.parametrize("who", WHO)
def test_every_web_post_route_refuses_the_roles_below_its_own_and_writes_nothing(make_web, web_db, who):
    ids, restores = _ids(web_db)
    web = make_web(who)
    for route, lowest in LOWEST_ROLE.items():
        if not _below(who, lowest):
            continue
        path = _path(route, ids, restores)
        before = database_digest(web_db)
        response = web.post(path, PAYLOAD)
        if who is None:
            assert response.status_code == 303 and "/login" in response.headers["location"], path
        else:
            assert response.status_code == 403 and "Form refused" not in response.text, (path, response.status_code)
        assert database_digest(web_db) == before, f"{who or 'anonymous'} changed the database through {path}"


@pytest.mark.parametrize("route", sorted(r for r, lowest in LOWEST_ROLE.items() if lowest not in (None, Role.viewer)))
def test_the_routes_own_role_gets_through(make_web, web_db, route):
    ids, restores = _ids(web_db)
    lowest = LOWEST_ROLE[route]
    response = make_web(lowest.value if lowest is not Role.editor else "editor").post(
        _path(route, ids, restores), PAYLOAD
    )
    assert response.status_code != 403 and "/login" not in response.headers.get("location", ""), response.text[:300]


def test_an_analyst_cannot_restore_what_an_admin_deleted_but_the_admin_can(make_web, web_db):
    _ids_, restores = _ids(web_db)
    analyst, admin = make_web("analyst"), make_web("admin")
    for kind, model in (("claim", Claim), ("critique", Critique), ("source", Source)):
        path = f"/{kind}s/{restores[f'{kind}_id']}/restore"
        assert analyst.post(path).status_code == 403
        assert admin.post(path).status_code == 303
        with Session(build_engine(web_db)) as session:
            assert session.get(model, int(restores[f"{kind}_id"])).deleted_at is None, kind
