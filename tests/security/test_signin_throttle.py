"""The sign-in throttle: no race (a burst of wrong passwords is checked at most up to the limit), limits per
client and overall against password spraying, the current password on /account/password under the same rule,
and a guesser sharing the real user's address (one proxy, one office) never locks that user's own browser out."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from app.auth import service
from app.main import create_app
from tests.conftest import make_settings
from tests.web.conftest import PASSWORD, Web

PROXY = "10.0.0.2"


def _app(web_db, tmp_path, **limits):
    return create_app(make_settings(web_db, tmp_path, forwarded_allow_ips=PROXY, **limits))


def _try(web: Web, username: str, password: str, client_ip: str | None = None):
    headers = {"X-Forwarded-For": client_ip} if client_ip else {}
    data = {"username": username, "password": password, "csrf_token": web.token()}
    return web.client.post("/login", data=data, headers=headers, follow_redirects=False)


def _browser(app, web_db) -> Web:
    client = TestClient(app, client=(PROXY, 4000), follow_redirects=False)
    client.__enter__()
    return Web(client, web_db)


def test_thirty_wrong_passwords_at_once_are_checked_no_more_than_the_limit(web_db, tmp_path, monkeypatch):
    checked = []
    real_verify = service.password_hash.verify

    def counting_verify(password, hashed):
        checked.append(password)
        return real_verify(password, hashed)

    monkeypatch.setattr(service.password_hash, "verify", counting_verify)
    web = _browser(_app(web_db, tmp_path, login_max_failures=5), web_db)
    token = web.token()
    data = {"username": "admin", "csrf_token": token}
    with ThreadPoolExecutor(max_workers=30) as pool:
        answers = list(
            pool.map(lambda n: web.client.post("/login", data={**data, "password": f"guess-{n}"}), range(30))
        )
    assert sorted({a.status_code for a in answers}) == [401, 429]
    assert len([p for p in checked if p.startswith("guess-")]) <= 5
    assert sum(a.status_code == 401 for a in answers) <= 5


def test_spraying_many_names_from_one_address_is_stopped_for_every_name(web_db, tmp_path):
    web = _browser(_app(web_db, tmp_path, login_client_max_failures=6), web_db)
    for n in range(6):
        assert _try(web, f"someone-{n}", "wrong password", "203.0.113.9").status_code == 401
    assert _try(web, "someone-else", "wrong password", "203.0.113.9").status_code == 429
    assert _try(web, "editor", PASSWORD, "203.0.113.9").status_code == 429  # the address is stopped, not the name
    assert _try(web, "editor", PASSWORD, "198.51.100.1").status_code == 303


def test_spraying_from_many_addresses_meets_the_overall_limit_but_known_browsers_still_sign_in(web_db, tmp_path):
    app = _app(web_db, tmp_path, login_global_max_failures=8)
    admins_own = _browser(app, web_db)
    assert _try(admins_own, "admin", PASSWORD, "192.0.2.50").status_code == 303  # it now holds a device cookie
    sprayer = _browser(app, web_db)
    for n in range(8):
        assert _try(sprayer, f"user-{n}", "wrong password", f"198.51.100.{n + 1}").status_code == 401
    assert _try(sprayer, "viewer", PASSWORD, "198.51.100.77").status_code == 429
    assert _try(admins_own, "admin", PASSWORD, "192.0.2.50").status_code == 303


def test_a_guesser_behind_the_same_address_does_not_lock_the_admins_own_browser(web_db, tmp_path):
    app = create_app(make_settings(web_db, tmp_path))  # no proxy trusted: everyone is the proxy's address
    admins_own = _browser(app, web_db)
    assert _try(admins_own, "admin", PASSWORD).status_code == 303
    guesser = _browser(app, web_db)
    for _ in range(5):
        assert _try(guesser, "admin", "wrong password").status_code == 401
    assert _try(guesser, "admin", PASSWORD).status_code == 429  # locked: even the right password is not checked
    assert _try(guesser, "Admin", PASSWORD).status_code == 429  # nor the same name in another case
    assert _try(admins_own, "admin", PASSWORD).status_code == 303


def test_two_clients_behind_the_trusted_proxy_are_counted_apart(web_db, tmp_path):
    app = _app(web_db, tmp_path)
    guesser, colleague = _browser(app, web_db), _browser(app, web_db)
    for _ in range(5):
        assert _try(guesser, "analyst", "wrong password", "203.0.113.5").status_code == 401
    assert _try(guesser, "analyst", PASSWORD, "203.0.113.5").status_code == 429
    assert _try(colleague, "analyst", PASSWORD, "203.0.113.6").status_code == 303


def test_the_current_password_on_the_password_page_is_throttled_too(web_db, tmp_path):
    app = _app(web_db, tmp_path)
    web = _browser(app, web_db)
    web.sign_in("analyst")
    change = {"new": "a brand new passphrase", "again": "a brand new passphrase"}
    for n in range(5):
        assert web.post("/account/password", {"current": f"guess {n}", **change}).status_code == 422
    refused = web.post("/account/password", {"current": PASSWORD, **change})
    assert refused.status_code == 429 and "Too many wrong passwords" in refused.text
    assert refused.headers["retry-after"]
    assert _try(_browser(app, web_db), "analyst", PASSWORD, "198.51.100.3").status_code == 303  # unchanged
