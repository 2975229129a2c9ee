"""An analyst's override of a confidence grade: stored with its reason, shown beside the engine's suggestion."""

from __future__ import annotations

from typer.testing import CliRunner

API = "/api/v1"
REASON = "Two of the three top results come from one lab; we judge the evidence weaker than the engine does."


def _circuits_confidence(api):
    return next(r for r in api.get(f"{API}/assessment").json()["aspects"] if r["aspect_key"] == "circuits")[
        "confidence"
    ]


def test_an_override_changes_the_final_grade_and_keeps_the_suggestion_and_reason(api, tokens):
    before = _circuits_confidence(api)
    answer = api.put(
        f"{API}/confidence-overrides/circuits", json={"grade": "high", "reason": REASON}, headers=tokens.analyst
    )
    assert answer.status_code == 200
    after = _circuits_confidence(api)
    assert after["final"] == "high" and after["override"] == "high"
    assert after["override_reason"] == REASON
    assert after["suggested"] == before["suggested"]
    assert api.get(f"{API}/confidence-overrides").json()[0]["author"] == "api-analyst"
    assert api.delete(f"{API}/confidence-overrides/circuits", headers=tokens.analyst).status_code == 204
    assert _circuits_confidence(api) == before


def test_an_override_needs_a_writer_a_known_aspect_and_a_real_reason(api, tokens):
    body = {"grade": "low", "reason": REASON}
    assert api.put(f"{API}/confidence-overrides/circuits", json=body).status_code == 401
    assert api.put(f"{API}/confidence-overrides/circuits", json=body, headers=tokens.viewer).status_code == 403
    missing = api.put(f"{API}/confidence-overrides/vibes", json=body, headers=tokens.analyst)
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    short = api.put(
        f"{API}/confidence-overrides/circuits", json={"grade": "low", "reason": "because"}, headers=tokens.analyst
    )
    assert short.status_code == 422
    assert any(e["field"] == "reason" for e in short.json()["errors"])
    assert api.get(f"{API}/confidence-overrides").json() == []


def test_the_cli_sets_lists_and_clears_an_override(seeded_url, monkeypatch):
    from app.cli import cli
    from app.config import get_settings

    monkeypatch.setenv("CEILING_DATABASE_URL", seeded_url)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        refused = runner.invoke(cli, ["confidence", "set", "circuits", "low", "--reason", "short"])
        assert refused.exit_code == 1 and "reason" in refused.output
        assert runner.invoke(cli, ["confidence", "set", "circuits", "low", "--reason", REASON]).exit_code == 0
        assert REASON in runner.invoke(cli, ["confidence", "list"]).output
        assert runner.invoke(cli, ["confidence", "clear", "circuits"]).exit_code == 0
        assert "no overrides" in runner.invoke(cli, ["confidence", "list"]).output
    finally:
        get_settings.cache_clear()
