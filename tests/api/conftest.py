"""API test fixtures: a seeded app on each backend, users of each role and their bearer tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth import service as auth
from app.auth.models import TokenScope, User
from app.auth.roles import Role
from app.db.session import session_scope
from app.main import create_app
from tests.conftest import make_settings

API = "/api/v1"


@dataclass
class Tokens:
    """Authorization headers by who holds the token."""

    analyst: dict[str, str]  # write scope
    analyst_read: dict[str, str]
    viewer: dict[str, str]  # read scope (a viewer cannot hold a write token)
    admin: dict[str, str]  # write scope
    admin_read: dict[str, str]
    expired: dict[str, str]
    revoked: dict[str, str]


def _bearer(plain: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {plain}"}


def add_tokens(url: str, engine_for) -> Tokens:
    """Users of each role (no password sign-in needed here) with read and write tokens."""
    made = {}
    with session_scope(engine_for(url)) as session:
        users = {}
        for role in Role:
            user = User(username=f"api-{role.value}", password_hash="unused", role=role.value)
            session.add(user)
            session.flush()
            users[role] = user
        for name, role, scope in [
            ("analyst", Role.analyst, TokenScope.write),
            ("analyst_read", Role.analyst, TokenScope.read),
            ("viewer", Role.viewer, TokenScope.read),
            ("admin", Role.admin, TokenScope.write),
            ("admin_read", Role.admin, TokenScope.read),
        ]:
            made[name] = _bearer(auth.create_token(session, users[role], name, scope)[1])
        past = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        made["expired"] = _bearer(auth.create_token(session, users[Role.analyst], "old", TokenScope.write, past)[1])
        token, plain = auth.create_token(session, users[Role.analyst], "gone", TokenScope.write)
        auth.revoke_token(session, token.id)
        made["revoked"] = _bearer(plain)
    return Tokens(**made)


@pytest.fixture
def tokens(seeded_url, engine_for) -> Tokens:
    return add_tokens(seeded_url, engine_for)


@pytest.fixture
def api(seeded_url, tmp_path, tokens) -> Iterator[TestClient]:
    """A client of the seeded app (each backend) whose database also holds the token users.

    Every claim is public here (CEILING_PUBLISH_REVIEWED_ONLY off): these tests read back what they write
    without a token; what readers see of drafts by default is tested in tests/review and tests/security."""
    with TestClient(create_app(make_settings(seeded_url, tmp_path, publish_reviewed_only=False))) as client:
        yield client


@pytest.fixture
def db(seeded_url, engine_for) -> Iterator[Session]:
    """A session on the same database as `api`, to check what is stored."""
    with Session(engine_for(seeded_url)) as session:
        yield session


def claim_id(client: TestClient, key: str) -> int:
    return client.get(f"{API}/claims", params={"key": key}).json()["data"][0]["id"]


def source_id(client: TestClient, key: str) -> int:
    return client.get(f"{API}/sources", params={"key": key}).json()["data"][0]["id"]


def new_source(**overrides) -> dict:
    body = {
        "key": "api-test-source",
        "kind": "preprint",
        "title": "A Test Source About Sparse Autoencoders at Scale",
        "authors": ["Ada Lovelace"],
        "year": 2026,
        "organization": "Test Lab",
        "doi": "10.5555/api-test",
    }
    return {**body, **overrides}


def new_claim(**overrides) -> dict:
    body = {
        "key": "api-test-claim",
        "source": "karvonen2025_saebench",
        "text": "Zebrafish-interpretability claims hold at nine billion parameters.",
        "aspects": ["features"],
        "questions": ["q1"],
        "method": "sae",
        "stance": "supports",
        "kind": "finding",
        "confidence": 0.6,
        "results": [
            {
                "key": "api-test-claim.r1",
                "model_name": "Gemma-2-9B",
                "params_basis": "disclosed",
                "params": 9.2e9,
                "method": "sae",
                "outcome": "success",
                "safety_impact": "none",
            }
        ],
    }
    return {**body, **overrides}
