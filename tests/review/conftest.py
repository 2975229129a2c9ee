"""Review-workflow fixtures: an app with CEILING_PUBLISH_REVIEWED_ONLY on, and write tokens of two
analysts, an editor and a viewer's read token."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from app.auth import service as auth
from app.auth.models import TokenScope
from app.auth.roles import Role
from app.db.session import session_scope
from app.main import create_app
from tests.conftest import make_settings

API = "/api/v1"


@dataclass
class Team:
    analyst: dict[str, str]
    analyst2: dict[str, str]
    editor: dict[str, str]
    viewer: dict[str, str]


def bearer(plain: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {plain}"}


@pytest.fixture
def team(sqlite_seeded_url, engine_for) -> Team:
    made = {}
    with session_scope(engine_for(sqlite_seeded_url)) as session:
        for name, role, scope in [
            ("analyst", Role.analyst, TokenScope.write),
            ("analyst2", Role.analyst, TokenScope.write),
            ("editor", Role.editor, TokenScope.write),
            ("viewer", Role.viewer, TokenScope.read),
        ]:
            user = auth.create_user(session, f"rv-{name}", "a-long-enough-password", role)
            made[name] = bearer(auth.create_token(session, user, name, scope)[1])
    return Team(**made)


@pytest.fixture
def reviewed_only_api(sqlite_seeded_url, tmp_path, team) -> Iterator[TestClient]:
    """The seeded app with CEILING_PUBLISH_REVIEWED_ONLY on, as in production."""
    settings = make_settings(sqlite_seeded_url, tmp_path, publish_reviewed_only=True)
    with TestClient(create_app(settings)) as client:
        yield client


def new_claim(key: str = "rv-claim", outcome: str = "success") -> dict:
    return {
        "key": key,
        "source": "karvonen2025_saebench",
        "text": "Okapi dictionaries stay monosemantic at nine hundred billion parameters.",
        "aspects": ["features"],
        "method": "sae",
        "stance": "supports",
        "kind": "finding",
        "confidence": 0.9,
        "results": [
            {
                "key": f"{key}.r1",
                "model_name": "Okapi-900B",
                "params_basis": "disclosed",
                "params": 9e11,
                "method": "sae",
                "outcome": outcome,
                "safety_impact": "none",
            }
        ],
    }


def extraction(outcome: str, stance: str = "supports", confidence: float = 0.9, key: str = "rv-claim") -> dict:
    result = {"outcome": outcome, "safety_impact": "none", "params_basis": "disclosed", "params": 9e11, "method": "sae"}
    return {"claim": {"stance": stance, "confidence": confidence}, "results": {f"{key}.r1": result}}
