"""Server-side sessions: sign-out, a password change, deactivation and an admin's "sign out everywhere"
revoke them, and the old cookie is refused afterwards; the sign-in throttle counts by name and client."""

from __future__ import annotations

import datetime as dt
import logging

from fastapi.testclient import TestClient
from sqlmodel import select

from app.auth.models import User, UserSession
from app.evidence.base import utcnow
from app.web.signin import COOKIE
from tests.web.conftest import PASSWORD, Web


def _replay(web: Web, cookie: str) -> Web:
    """A new browser presenting a copy of an old session cookie."""
    client = TestClient(web.client.app, follow_redirects=False)
    client.cookies.set(COOKIE, cookie)
    return Web(client, web.url)


def _signed_in(web: Web) -> bool:
    return web.get("/claims/new").status_code == 200


def _id(web: Web, username: str) -> int:
    with web.session() as session:
        return session.exec(select(User.id).where(User.username == username)).one()


def test_after_sign_out_the_old_cookie_is_refused(analyst):
    old = analyst.client.cookies.get(COOKIE)
    assert _signed_in(_replay(analyst, old))
    assert analyst.post("/logout").status_code == 303
    assert not _signed_in(analyst)
    assert not _signed_in(_replay(analyst, old))
    with analyst.session() as session:
        rows = session.exec(select(UserSession).where(UserSession.user_id == _id(analyst, "analyst"))).all()
        assert rows and all(row.revoked_at is not None for row in rows)


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(make_web):
    laptop, phone = make_web("analyst"), make_web("analyst")
    old_laptop_cookie = laptop.client.cookies.get(COOKIE)
    new = "a-brand-new-password"
    response = laptop.post("/account/password", {"current": PASSWORD, "new": new, "again": new})
    assert response.status_code == 303
    assert _signed_in(laptop)
    assert not _signed_in(phone)
    assert not _signed_in(_replay(laptop, old_laptop_cookie))


def test_deactivation_and_sign_out_everywhere_revoke_every_session(admin, make_web):
    first, second = make_web("analyst"), make_web("analyst")
    cookie = first.client.cookies.get(COOKIE)
    assert admin.post(f"/admin/users/{_id(admin, 'analyst')}/sessions/revoke").status_code == 303
    assert "signed out everywhere (2 session(s) ended)" in admin.get("/admin/users").text
    assert not _signed_in(first) and not _signed_in(second) and not _signed_in(_replay(first, cookie))

    again = make_web("analyst")
    cookie = again.client.cookies.get(COOKIE)
    admin.post(f"/admin/users/{_id(admin, 'analyst')}/active", {"active": "no"})
    admin.post(f"/admin/users/{_id(admin, 'analyst')}/active", {"active": "yes"})
    assert not _signed_in(_replay(again, cookie)), "reactivation must not revive a revoked session"


def _client_at(web: Web, host: str) -> Web:
    return Web(TestClient(web.client.app, follow_redirects=False, client=(host, 5000)), web.url)


def test_a_guesser_locks_out_only_itself_and_its_refused_attempts_are_logged(anonymous, caplog):
    guesser, owner = _client_at(anonymous, "203.0.113.9"), _client_at(anonymous, "198.51.100.4")
    for _ in range(5):
        assert guesser.post("/login", {"username": "admin", "password": "wrong-guess-1"}).status_code == 401
    with caplog.at_level(logging.WARNING, logger="ceiling.auth"):
        refused = guesser.post("/login", {"username": "admin", "password": PASSWORD})
    assert refused.status_code == 429, "the guessing client stays throttled, even with the right password"
    assert any("203.0.113.9" in r.getMessage() and "'admin'" in r.getMessage() for r in caplog.records)
    assert owner.post("/login", {"username": "admin", "password": PASSWORD}).status_code == 303
    assert _signed_in(owner)


def test_expired_sessions_are_refused_and_deleted_at_the_next_sign_in(analyst, make_web):
    cookie = analyst.client.cookies.get(COOKIE)
    with analyst.session() as session:
        for row in session.exec(select(UserSession)).all():
            row.expires_at = utcnow() - dt.timedelta(seconds=1)
            session.add(row)
        session.commit()
    assert not _signed_in(_replay(analyst, cookie))
    make_web("viewer")
    with analyst.session() as session:
        assert [row.user_id for row in session.exec(select(UserSession)).all()] == [_id(analyst, "viewer")]
