"""Headers and secrets: every answer carries the security headers; production refuses a weak secret key and
forces Secure cookies; proxy headers are believed only from the configured proxy; the documents about the
service are not public when reads are not; a password change ends the user's API tokens."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import Session, select

from app.auth.models import UserSession
from app.config import Settings
from app.main import create_app
from tests.api.conftest import add_tokens
from tests.conftest import make_settings
from tests.web.conftest import PASSWORD, Web

EVERY_KIND_OF_ANSWER = ["/", "/claims", "/login", "/api/v1/claims", "/static/style.css", "/nowhere", "/api/v1/nowhere"]


@pytest.mark.parametrize("path", EVERY_KIND_OF_ANSWER)
def test_every_answer_carries_the_security_headers(anonymous, path):
    headers = anonymous.get(path).headers
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'self'" in policy and "script-src 'self'" in policy and "object-src 'none'" in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "SAMEORIGIN"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "strict-transport-security" not in headers  # plain HTTP, no HTTPS declared


def test_hsts_over_https_as_the_trusted_proxy_reports_it_and_only_then(web_db, tmp_path):
    app = create_app(make_settings(web_db, tmp_path, forwarded_allow_ips="10.0.0.2"))
    https = {"X-Forwarded-Proto": "https"}
    with TestClient(app, client=("10.0.0.2", 4000)) as proxy, TestClient(app, client=("10.9.9.9", 4000)) as other:
        assert "max-age=" in proxy.get("/", headers=https).headers["strict-transport-security"]
        assert "strict-transport-security" not in other.get("/", headers=https).headers
    with TestClient(create_app(make_settings(web_db, tmp_path, secure_cookies=True))) as declared:
        assert "strict-transport-security" in declared.get("/").headers


def _client_recorded_at_sign_in(web_db, app, address: str, forwarded: str) -> str:
    with TestClient(app, client=(address, 4000)) as client:
        web = Web(client, web_db)
        token = web.token()
        response = client.post(
            "/login",
            data={"username": "viewer", "password": PASSWORD, "csrf_token": token},
            headers={"X-Forwarded-For": forwarded},
            follow_redirects=False,
        )
        assert response.status_code == 303
    with web.session() as session:
        return session.exec(select(UserSession.client).order_by(UserSession.id.desc())).first()


def test_x_forwarded_for_is_believed_from_the_configured_proxy_only(web_db, tmp_path):
    app = create_app(make_settings(web_db, tmp_path, forwarded_allow_ips="10.0.0.0/24"))
    assert _client_recorded_at_sign_in(web_db, app, "10.0.0.2", "203.0.113.7") == "203.0.113.7"
    assert _client_recorded_at_sign_in(web_db, app, "198.51.100.4", "203.0.113.7") == "198.51.100.4"
    unset = create_app(make_settings(web_db, tmp_path))
    assert _client_recorded_at_sign_in(web_db, unset, "127.0.0.1", "203.0.113.7") == "127.0.0.1"


@pytest.mark.parametrize("value", ["*", "proxy.local", "10.0.0.1, *"])
def test_a_wildcard_or_a_name_as_the_proxy_is_refused(value):
    with pytest.raises(ValidationError, match="forwarded_allow_ips"):
        Settings(forwarded_allow_ips=value, _env_file=None)


@pytest.mark.parametrize("key", ["", "x", "short-but-not-32", "a" * 64, "abababababababababababababababab"])
def test_production_refuses_a_missing_short_or_repetitive_secret_key(key):
    with pytest.raises(ValidationError, match="CEILING_SECRET_KEY"):
        Settings(environment="production", secret_key=key, _env_file=None)


def test_production_forces_secure_cookies(tmp_path):
    settings = Settings(
        environment="production", secret_key="9f1c0e7a5b3d2f4e6a8c0b1d3f5e7a9c", secure_cookies=False, _env_file=None
    )
    assert settings.secure_cookies is True
    settings.database_url, settings.reports_dir = f"sqlite:///{tmp_path / 'p.db'}", tmp_path
    with TestClient(create_app(settings)) as client:
        cookie = client.get("/login").headers["set-cookie"].lower()
        assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie


DOCUMENTS = ["/metrics", "/openapi.json", "/docs", "/redoc"]


@pytest.mark.parametrize("path", DOCUMENTS)
def test_with_public_reads_off_the_service_documents_need_a_token_or_a_sign_in(web_db, engine_for, tmp_path, path):
    tokens = add_tokens(web_db, engine_for)
    with TestClient(create_app(make_settings(web_db, tmp_path, public_reads=False))) as client:
        refused = client.get(path)
        assert refused.status_code == 401 and refused.headers["content-type"] == "application/problem+json"
        assert client.get(path, headers={"Authorization": "Bearer ceil_not-a-token"}).status_code == 401
        assert client.get(path, headers=tokens.viewer).status_code == 200
        assert Web(client, web_db).sign_in("viewer").get(path).status_code == 200
    with TestClient(create_app(make_settings(web_db, tmp_path))) as public:
        assert public.get(path).status_code == 200


def test_a_password_change_revokes_the_users_api_tokens(web_db, engine_for, tmp_path):
    from app.auth import service
    from app.auth.models import TokenScope

    with Session(engine_for(web_db)) as session:
        user = service.get_user(session, "analyst")
        _token, plain = service.create_token(session, user, "laptop", TokenScope.write)
        session.commit()
    bearer = {"Authorization": f"Bearer {plain}"}
    with TestClient(create_app(make_settings(web_db, tmp_path)), follow_redirects=False) as client:
        assert client.get("/api/v1/claims?limit=1", headers=bearer).status_code == 200
        web = Web(client, web_db).sign_in("analyst")
        changed = web.post(
            "/account/password", {"current": PASSWORD, "new": "a new long passphrase", "again": "a new long passphrase"}
        )
        assert changed.status_code == 303
        assert "API token(s) revoked" in web.get("/").text
        assert client.get("/api/v1/claims?limit=1", headers=bearer).status_code == 401
