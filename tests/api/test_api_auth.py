"""Who may do what: 401 without a valid token, 403 with the wrong scope or role, public reads as a setting."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.evidence.errors import StaleVersion
from app.evidence.history import Actor
from app.evidence.models import Claim
from app.evidence.schemas.claims import ClaimIn
from app.evidence.services import claims as claim_service
from app.main import create_app
from tests.api.conftest import API, add_tokens, new_claim, new_source
from tests.conftest import make_settings


def test_no_token_no_write(api):
    response = api.post(f"{API}/claims", json={"text": "x"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("who", ["expired", "revoked"])
def test_expired_or_revoked_tokens_are_401(api, tokens, who):
    assert api.post(f"{API}/sources", json=new_source(), headers=getattr(tokens, who)).status_code == 401


def test_unknown_or_malformed_credentials_are_401(api):
    for header in ("Bearer ceil_not-a-token", "Basic dXNlcjpwYXNz", "Bearer", "Bearer \u202eevil"):
        response = api.get(f"{API}/claims", headers={"Authorization": header.encode("utf-8")})
        assert response.status_code == 401, header


@pytest.mark.parametrize("who", ["viewer", "analyst_read", "admin_read"])
def test_read_tokens_and_viewers_cannot_write(api, tokens, who):
    response = api.post(f"{API}/sources", json=new_source(), headers=getattr(tokens, who))
    assert response.status_code == 403
    assert response.json()["title"] == "Forbidden"


def test_an_analyst_write_token_writes_and_is_named_in_history(api, tokens):
    created = api.post(f"{API}/claims", json=new_claim(), headers=tokens.analyst)
    assert created.status_code == 201
    history = api.get(f"{API}/claims/{created.json()['id']}/history", headers=tokens.analyst).json()["data"]
    assert history[0]["actor"] == "api-analyst" and history[0]["user_id"] is not None


def test_reads_need_a_token_when_public_reads_are_off(seeded_url, tmp_path, engine_for):
    tokens = add_tokens(seeded_url, engine_for)
    with TestClient(create_app(make_settings(seeded_url, tmp_path, public_reads=False))) as client:
        for path in ("claims", "stats", "assessment", "sources/1"):
            assert client.get(f"{API}/{path}").status_code == 401, path
        assert client.get(f"{API}/claims", headers=tokens.viewer).status_code == 200


def test_the_database_guard_refuses_the_second_writer_even_when_both_read_first(seeded_url, engine_for):
    engine = engine_for(seeded_url)
    key = "karvonen2025.matryoshka-advantage-grows"
    with Session(engine) as first, Session(engine) as second:
        a = first.exec(select(Claim).where(Claim.key == key)).one()
        b = second.exec(select(Claim).where(Claim.key == key)).one()
        data = ClaimIn.model_validate(
            {**new_claim(key=key, source="karvonen2025_saebench", results=[]), "text": "first"}
        )
        claim_service.update(first, a, data, Actor("one"), expected_version=1, with_results=False)
        first.commit()
        with pytest.raises(StaleVersion):
            claim_service.update(
                second,
                b,
                data.model_copy(update={"text": "second"}),
                Actor("two"),
                expected_version=1,
                with_results=False,
            )
        second.rollback()
    with Session(engine) as check:
        stored = check.exec(select(Claim).where(Claim.key == key)).one()
        assert (stored.version, stored.text) == (2, "first")
