"""Sign-in and sign-out: the session cookie's flags, CSRF on the sign-in form, throttling of failed
sign-ins, safe redirects, and sessions that end when the account changes."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import select

from app.auth.models import LoginFailure, User
from app.main import create_app
from app.web.signin import COOKIE
from tests.conftest import make_settings
from tests.web.conftest import PASSWORD, csrf_of


def _set_cookie(response) -> str:
    return "; ".join(v for k, v in response.headers.multi_items() if k.lower() == "set-cookie")


def test_the_sign_in_form_carries_a_csrf_token(anonymous):
    page = anonymous.get("/login")
    assert page.status_code == 200 and csrf_of(page.text)
    assert 'autocomplete="current-password"' in page.text


def test_sign_in_without_csrf_token_is_refused(anonymous):
    response = anonymous.post("/login", {"username": "analyst", "password": PASSWORD}, csrf=False)
    assert response.status_code == 403 and "Form refused" in response.text


def test_sign_in_sets_an_httponly_samesite_lax_cookie_and_sign_out_clears_it(anonymous):
    response = anonymous.post("/login", {"username": "analyst", "password": PASSWORD})
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = _set_cookie(response).lower()
    assert f"{COOKIE}=" in cookie and "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    assert "Sign out" in anonymous.get("/").text
    out = anonymous.post("/logout")
    assert out.status_code == 303
    assert "Sign out" not in anonymous.get("/").text
    assert anonymous.get("/claims/new").status_code == 303


def test_the_cookie_is_secure_when_configured(web_db, tmp_path):
    app = create_app(make_settings(web_db, tmp_path, secure_cookies=True))
    with TestClient(app, base_url="https://testserver") as client:
        token = csrf_of(client.get("/login").text)
        response = client.post(
            "/login", data={"username": "analyst", "password": PASSWORD, "csrf_token": token}, follow_redirects=False
        )
    assert response.status_code == 303 and "secure" in _set_cookie(response).lower()


def test_a_wrong_password_is_refused_and_counted(anonymous):
    response = anonymous.post("/login", {"username": "analyst", "password": "wrong-password"})
    assert response.status_code == 401 and "The name or password is wrong" in response.text
    assert 'value="analyst"' in response.text
    with anonymous.session() as session:
        assert len(session.exec(select(LoginFailure).where(LoginFailure.username == "analyst")).all()) == 1


def test_sign_in_is_throttled_after_repeated_failures_even_with_the_right_password(anonymous):
    for _ in range(5):
        assert anonymous.post("/login", {"username": "analyst", "password": "nope-nope-nope"}).status_code == 401
    response = anonymous.post("/login", {"username": "analyst", "password": PASSWORD})
    assert response.status_code == 429 and "Too many wrong passwords" in response.text
    assert anonymous.post("/login", {"username": "viewer", "password": PASSWORD}).status_code == 303


def test_after_sign_in_the_visitor_returns_to_a_local_page_only(anonymous):
    redirect = anonymous.get("/claims/new")
    assert redirect.headers["location"] == "/login?next=%2Fclaims%2Fnew"
    page = anonymous.get(redirect.headers["location"]).text
    assert 'name="next" value="/claims/new"' in page
    response = anonymous.post("/login", {"username": "analyst", "password": PASSWORD, "next": "/claims/new"})
    assert response.headers["location"] == "/claims/new"
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        anonymous.post("/logout")
        response = anonymous.post("/login", {"username": "analyst", "password": PASSWORD, "next": evil})
        assert response.headers["location"] == "/"


def test_a_tampered_cookie_is_ignored(analyst):
    value = analyst.client.cookies.get(COOKIE)
    analyst.client.cookies.set(COOKIE, value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    assert "Sign out" not in analyst.get("/").text
    assert analyst.get("/claims/new").status_code == 303


def test_deactivating_a_user_ends_their_session(analyst):
    with analyst.session() as session:
        user = session.exec(select(User).where(User.username == "analyst")).one()
        user.is_active = False
        session.add(user)
        session.commit()
    assert analyst.get("/claims/new").status_code == 303


def test_changing_ones_password_signs_out_other_sessions(make_web):
    here, elsewhere = make_web("analyst"), make_web("analyst")
    form = {"current": PASSWORD, "new": "a-brand-new-password", "again": "a-brand-new-password"}
    assert here.get("/account/password").status_code == 200
    assert here.post("/account/password", form).status_code == 303
    assert here.get("/claims/new").status_code == 200
    assert elsewhere.get("/claims/new").status_code == 303


def test_a_password_change_with_a_wrong_current_password_is_refused(analyst):
    form = {"current": "not-my-password", "new": "a-brand-new-password", "again": "a-brand-new-password"}
    response = analyst.post("/account/password", form)
    assert response.status_code == 422 and 'id="current-error"' in response.text
