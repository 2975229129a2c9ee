"""Admin pages: users (create, role, deactivate, password) and API tokens (shown once, listed by prefix, revoked)."""

from __future__ import annotations

import re

from sqlmodel import select

from app.auth import service
from app.auth.models import ApiToken, User
from tests.web.conftest import PASSWORD


def _user(web, username: str) -> User | None:
    with web.session() as session:
        return session.exec(select(User).where(User.username == username)).first()


def _id(web, username: str) -> int:
    return _user(web, username).id


def test_an_admin_creates_a_user_who_can_then_sign_in(admin, make_web):
    data = {"username": "newbie", "display_name": "New Analyst", "role": "analyst", "password": "long-enough-pw"}
    assert admin.post("/admin/users", data).status_code == 303
    assert "newbie" in admin.get("/admin/users").text
    fresh = make_web()
    response = fresh.post("/login", {"username": "newbie", "password": "long-enough-pw"})
    assert response.status_code == 303 and fresh.get("/claims/new").status_code == 200


def test_a_bad_new_user_is_refused_with_the_input_kept(admin):
    response = admin.post("/admin/users", {"username": "shorty", "role": "viewer", "password": "short"})
    assert response.status_code == 422 and 'id="password-error"' in response.text and 'value="shorty"' in response.text
    taken = admin.post("/admin/users", {"username": "viewer", "role": "viewer", "password": "long-enough-pw"})
    assert taken.status_code == 422 and "exists" in taken.text


def test_a_role_change_takes_effect_on_the_next_request(admin, viewer):
    assert viewer.get("/claims/new").status_code == 403
    admin.post(f"/admin/users/{_id(admin, 'viewer')}/role", {"role": "analyst"})
    assert _user(admin, "viewer").role == "analyst"
    assert viewer.get("/claims/new").status_code == 200


def test_a_deactivated_user_is_signed_out_and_cannot_sign_in(admin, analyst, make_web):
    admin.post(f"/admin/users/{_id(admin, 'analyst')}/active", {"active": "no"})
    assert analyst.get("/claims/new").status_code == 303
    assert make_web().post("/login", {"username": "analyst", "password": PASSWORD}).status_code == 401
    admin.post(f"/admin/users/{_id(admin, 'analyst')}/active", {"active": "yes"})
    assert make_web().post("/login", {"username": "analyst", "password": PASSWORD}).status_code == 303


def test_an_admin_cannot_demote_or_deactivate_themselves(admin):
    own = _id(admin, "admin")
    admin.post(f"/admin/users/{own}/role", {"role": "viewer"})
    admin.post(f"/admin/users/{own}/active", {"active": "no"})
    user = _user(admin, "admin")
    assert user.role == "admin" and user.is_active
    assert "You cannot" in admin.get("/admin/users").text


def test_an_admin_sets_a_users_password(admin, make_web):
    admin.post(f"/admin/users/{_id(admin, 'viewer')}/password", {"password": "reset-by-admin-1"})
    assert make_web().post("/login", {"username": "viewer", "password": "reset-by-admin-1"}).status_code == 303


def test_a_token_is_shown_once_listed_by_prefix_and_revoked(admin):
    response = admin.post("/admin/tokens", {"username": "analyst", "name": "notebook", "scope": "write"})
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    plain = re.search(r'id="new-token" type="text" readonly value="([^"]+)"', response.text).group(1)
    with admin.session() as session:
        assert service.user_for_token(session, plain)[0].username == "analyst"
        token_id = session.exec(select(ApiToken.id).where(ApiToken.name == "notebook")).one()
    listing = admin.get("/admin/tokens").text
    assert plain not in listing and plain[:12] in listing
    assert admin.post(f"/admin/tokens/{token_id}/revoke").status_code == 303
    with admin.session() as session:
        assert service.user_for_token(session, plain) is None
    assert "revoked" in admin.get("/admin/tokens").text


def test_a_viewer_cannot_get_a_write_token_and_the_form_says_why(admin):
    response = admin.post("/admin/tokens", {"username": "viewer", "name": "x", "scope": "write"})
    assert response.status_code == 422 and "cannot hold a write token" in response.text
    missing = admin.post("/admin/tokens", {"username": "", "name": "", "scope": "read", "expires_days": "-3"})
    assert missing.status_code == 422
    for field in ("username", "name", "expires_days"):
        assert f'id="{field}-error"' in missing.text
