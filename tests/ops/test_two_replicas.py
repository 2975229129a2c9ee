"""Two app processes (`ceiling serve`) on one PostgreSQL database: a write through one is seen, assessed and
reported through the other, and a session started on one is known to (and revoked on) the other."""

from __future__ import annotations

import httpx
import pytest

from app.reports.build import build_snapshot
from tests.api.conftest import add_tokens
from tests.conftest import make_settings
from tests.ops.replicas import free_port, replica_env, start_replica, stop, wait_until
from tests.web.conftest import PASSWORD, add_users, csrf_of

pytestmark = pytest.mark.postgres
CLAIM = "lieberum2023.chinchilla-circuit-scales"


@pytest.fixture
def replicas(databases, tmp_path):
    url = databases.fresh("postgres", seeded=True)
    env = replica_env(url, tmp_path)
    ports = [free_port(), free_port()]
    logs = [tmp_path / f"replica-{i}.log" for i in range(len(ports))]
    processes = [start_replica(env, port, log, tmp_path) for port, log in zip(ports, logs, strict=True)]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for base, process, log in zip(bases, processes, logs, strict=True):
            wait_until(base, "/readyz", process, log)
        yield url, bases
    finally:
        stop(processes)


def test_a_write_through_one_replica_is_seen_assessed_and_reported_through_the_other(replicas, engine_for, tmp_path):
    url, (one, other) = replicas
    headers = add_tokens(url, engine_for).analyst
    before = httpx.get(f"{other}/api/v1/assessment", headers=headers).json()["fingerprint"]
    claim_id = httpx.get(f"{one}/api/v1/claims", params={"key": CLAIM}, headers=headers).json()["data"][0]["id"]
    claim = httpx.get(f"{one}/api/v1/claims/{claim_id}", headers=headers)
    patched = httpx.patch(
        f"{one}/api/v1/claims/{claim_id}",
        json={"confidence": 0.05},
        headers={**headers, "If-Match": claim.headers["etag"]},
    )
    assert patched.status_code == 200, patched.text
    assert httpx.get(f"{other}/api/v1/claims/{claim_id}", headers=headers).json()["confidence"] == 0.05
    after = httpx.get(f"{other}/api/v1/assessment", headers=headers).json()["fingerprint"]
    assert after != before, "the other replica assessed the new evidence"

    built = build_snapshot(make_settings(url, tmp_path))  # what the scheduler does, on its own host
    report = httpx.get(f"{other}/reports/latest.json").json()
    assert report["report"]["directory"] == built.directory
    assert report["assessment"]["fingerprint"] == after
    assert httpx.get(f"{one}/reports/latest.md").text == httpx.get(f"{other}/reports/latest.md").text


def test_a_session_is_shared_by_the_replicas_and_revoked_on_all(replicas):
    url, (one, other) = replicas
    add_users(url)
    with httpx.Client(base_url=one) as browser:
        token = csrf_of(browser.get("/login").text)
        signed_in = browser.post("/login", data={"username": "analyst", "password": PASSWORD, "csrf_token": token})
        assert signed_in.status_code == 303
        cookies = dict(browser.cookies)
    with httpx.Client(base_url=other, cookies=cookies) as elsewhere:
        assert elsewhere.get("/claims/new").status_code == 200, "the other replica knows the session"
        token = csrf_of(elsewhere.get("/claims/new").text)
        assert elsewhere.post("/logout", data={"csrf_token": token}).status_code == 303
    with httpx.Client(base_url=one, cookies=cookies) as replay:
        assert replay.get("/claims/new").status_code == 303, "signed out on one replica is signed out on all"
