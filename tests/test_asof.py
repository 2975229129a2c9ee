"""As-of assessments: recorded in steps, each past instant answers exactly what was computed at that step."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from app.assessment.asof import InstantInFuture, assessment_as_of, parse_instant, record_scoring_settings
from app.assessment.live import current_assessment, scoring_settings
from app.evidence.history import Actor
from app.evidence.models import Claim
from app.evidence.schemas.claims import ClaimIn
from app.evidence.services import claims, overrides
from tests.conftest import make_settings

WHO = Actor("asof-test", role="admin")  # it restores too: an admin's step
NEW_CLAIM = {
    "key": "asof.new-circuit-claim",
    "source": "lieberum2023_chinchilla",
    "text": "Circuit discovery failed on a frontier model.",
    "aspects": ["circuits"],
    "questions": ["q2"],
    "method": "circuits",
    "stance": "undermines",
    "kind": "finding",
    "confidence": 0.9,
    "results": [
        {
            "key": "asof.new-circuit-claim.r1",
            "model_name": "Frontier-1T",
            "params_basis": "disclosed",
            "params": 1e12,
            "method": "circuits",
            "outcome": "failure",
        }
    ],
}


def _claim(session: Session, key: str) -> Claim:
    return session.exec(select(Claim).where(Claim.key == key)).one()


def _edit(session: Session, key: str, **changes) -> None:
    row = _claim(session, key)
    values = {**claims.input_values(session, row), **changes}
    claims.update(session, row, ClaimIn.model_validate(values), WHO, with_results="results" in changes)


STEPS = [
    lambda s: _edit(s, "lieberum2023.chinchilla-circuit-scales", status="retracted"),
    lambda s: claims.create(s, ClaimIn.model_validate(NEW_CLAIM), WHO),
    lambda s: _edit(s, NEW_CLAIM["key"], aspects=["features", "evaluation"], confidence=0.4),
    lambda s: _edit(s, NEW_CLAIM["key"], results=[{**NEW_CLAIM["results"][0], "params": 3e11, "outcome": "partial"}]),
    lambda s: claims.delete(s, _claim(s, "karvonen2025.proxy-metrics-dont-predict"), WHO),
    lambda s: overrides.set_override(s, "features", "very_low", "Set for the as-of test: a reason long enough.", WHO),
    lambda s: claims.restore(s, _claim(s, "karvonen2025.proxy-metrics-dont-predict"), WHO),
    lambda s: overrides.clear_override(s, "features", WHO),
    lambda s: claims.delete(s, _claim(s, NEW_CLAIM["key"]), WHO),
]


def test_each_past_instant_answers_the_assessment_computed_at_that_step(seeded_url, engine_for, tmp_path):
    settings = make_settings(seeded_url, tmp_path, publish_reviewed_only=False)  # both sides weigh every claim
    engine = engine_for(seeded_url)
    recorded = []
    for step in [None, *STEPS]:
        if step is not None:
            with Session(engine) as session:
                step(session)
                session.commit()
        with Session(engine) as session:
            recorded.append((dt.datetime.now(dt.UTC), current_assessment(session, settings)))
    assert len({a.fingerprint for _, a in recorded}) > len(STEPS) // 2  # the steps did move the assessment
    with Session(engine) as session:
        for index, (instant, expected) in enumerate(recorded):
            answer = assessment_as_of(session, instant, settings)
            assert answer.assessment.model_dump() == expected.model_dump(), f"step {index}"


def test_before_any_evidence_every_ceiling_is_insufficient(seeded_url, engine_for, tmp_path):
    with Session(engine_for(seeded_url)) as session:
        answer = assessment_as_of(session, dt.datetime(2000, 1, 1, tzinfo=dt.UTC), make_settings(seeded_url, tmp_path))
    assert {row.ceiling.state for row in answer.assessment.aspects if row.role != "impact"} == {"insufficient"}


def test_the_scoring_settings_of_then_are_used(sqlite_seeded_url, engine_for, tmp_path):
    old = make_settings(sqlite_seeded_url, tmp_path)
    new = make_settings(sqlite_seeded_url, tmp_path, scoring={"draft_factor": 0.1, "prior_alpha": 3.0})
    engine = engine_for(sqlite_seeded_url)
    with Session(engine) as session:
        assert record_scoring_settings(session, scoring_settings(old))
        assert not record_scoring_settings(session, scoring_settings(old))
        session.commit()
        between = dt.datetime.now(dt.UTC)
        record_scoring_settings(session, scoring_settings(new))
        session.commit()
        then = assessment_as_of(session, between, new)
        now = assessment_as_of(session, dt.datetime.now(dt.UTC), new)
        expected_then = current_assessment(session, old)
    assert then.settings_basis == "recorded"
    assert then.assessment.fingerprint == expected_then.fingerprint
    assert now.assessment.settings["prior_alpha"] == 3.0


def test_instants_are_parsed_in_utc_and_the_future_is_refused(sqlite_seeded_url, engine_for):
    assert parse_instant("2026-11-01T12:00Z") == dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
    assert parse_instant("2026-11-01T13:00+01:00") == dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
    assert parse_instant("2026-11-01") == dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    for bad in ("yesterday", "0001-01-01T00:00+01:00", "9999-12-31T23:59-01:00"):
        with pytest.raises(ValueError, match="ISO 8601"):
            parse_instant(bad)
    with Session(engine_for(sqlite_seeded_url)) as session, pytest.raises(InstantInFuture):
        assessment_as_of(session, dt.datetime.now(dt.UTC) + dt.timedelta(days=1))


def test_api_answers_as_of_with_the_instant_and_names_the_field_when_it_is_bad(client):
    now = client.get("/api/v1/assessment").json()
    instant = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    same = client.get("/api/v1/assessment", params={"as_of": instant})
    assert same.status_code == 200 and same.json()["fingerprint"] == now["fingerprint"]
    assert same.headers["Ceiling-As-Of"] == instant
    assert same.headers["Ceiling-Settings-Basis"] == "recorded"  # the app recorded its settings at start
    before = client.get("/api/v1/assessment", params={"as_of": "2000-01-01T00:00Z"}).json()
    assert {row["ceiling"]["state"] for row in before["aspects"] if row["role"] != "impact"} == {"insufficient"}
    for bad in ("yesterday", "2999-01-01T00:00Z", "<script>"):
        refused = client.get("/api/v1/assessment", params={"as_of": bad})
        assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["errors"][0] | {"message": ""} == {
            "in": "query",
            "field": "as_of",
            "message": "",
            "type": "value_error",
        }


def test_on_a_large_store_as_of_is_computed_once_in_the_background_and_asked_for_again(client, monkeypatch):
    """At 1M results one as-of assessment takes about 15 s: a request never computes it (an anonymous reader
    could occupy every core), it queues it once and answers 503 with Retry-After until it is ready."""
    from app.reports import trajectory

    instant = "2001-02-03T04:05:06Z"
    expected = client.get("/api/v1/assessment", params={"as_of": instant})  # small store: computed inline
    monkeypatch.setattr(trajectory, "INLINE_AS_OF_RESULTS", -1)
    monkeypatch.setattr(trajectory, "_PARTS", type(trajectory._PARTS)())
    later = "2002-03-04T05:06:07Z"  # the same state of the store: one computation serves both instants
    for asked in (later, later):
        pending = client.get("/api/v1/assessment", params={"as_of": asked})
        assert pending.status_code == 503 and pending.headers["Retry-After"] == "5"
        assert pending.headers["content-type"] == "application/problem+json"
        assert "as of 2002-03-04T05:06:07Z is being computed" in pending.json()["detail"]
    trajectory.wait_for_points()
    ready = client.get("/api/v1/assessment", params={"as_of": later})
    assert ready.status_code == 200 and ready.headers["Ceiling-As-Of"] == "2002-03-04T05:06:07.000000Z"
    assert ready.json() == expected.json()


def test_the_as_of_page_of_a_large_store_says_the_report_is_being_computed(client, monkeypatch):
    from app.reports import trajectory

    monkeypatch.setattr(trajectory, "INLINE_AS_OF_RESULTS", -1)
    monkeypatch.setattr(trajectory, "_PARTS", type(trajectory._PARTS)())
    page = client.get("/assessment", params={"as_of": "2004-05-06T07:08"})
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert "The assessment as of 2004-05-06T07:08:00Z is being computed" in page.text
    assert 'value="2004-05-06T07:08"' in page.text  # the picker keeps what was asked
    trajectory.wait_for_points()
    ready = client.get("/assessment", params={"as_of": "2004-05-06T07:08"})
    assert ready.status_code == 200 and "2004-05-06 07:08:00 UTC" in ready.text


def test_a_full_as_of_queue_queues_nothing_more(client, monkeypatch):
    from app.reports import trajectory

    monkeypatch.setattr(trajectory, "INLINE_AS_OF_RESULTS", -1)
    monkeypatch.setattr(trajectory, "_PARTS", type(trajectory._PARTS)())  # nothing computed yet
    monkeypatch.setattr(trajectory, "_queued", {("busy", n) for n in range(trajectory.MAX_QUEUED_POINTS)})
    refused = client.get("/api/v1/assessment", params={"as_of": "2003-01-01T00:00Z"})
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "30"
    assert len(trajectory._queued) == trajectory.MAX_QUEUED_POINTS


def test_the_live_page_has_an_as_of_picker_that_keeps_a_bad_value_beside_its_error(client):
    page = client.get("/assessment")
    assert page.status_code == 200 and 'name="as_of"' in page.text
    then = client.get("/assessment", params={"as_of": "2000-01-01T00:00"})
    assert then.status_code == 200
    assert "Assessment as of 2000-01-01 00:00:00 UTC" in then.text and 'value="2000-01-01T00:00:00"' in then.text
    bad = client.get("/assessment", params={"as_of": '"><script>x'})
    assert bad.status_code == 422 and 'id="as_of-error"' in bad.text
    assert "<script>x" not in bad.text and 'value="&#34;&gt;&lt;script&gt;x"' in bad.text


def test_the_command_prints_the_assessment_as_of_an_instant(sqlite_seeded_url, monkeypatch):
    from typer.testing import CliRunner

    from app.cli import cli
    from app.config import get_settings

    monkeypatch.setenv("CEILING_DATABASE_URL", sqlite_seeded_url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        then = runner.invoke(cli, ["assess", "--as-of", "2000-01-01T00:00Z", "--format", "json"])
        bad = runner.invoke(cli, ["assess", "--as-of", "soon"])
    finally:
        get_settings.cache_clear()
    assert then.exit_code == 0, then.output
    assert "as of 2000-01-01 00:00:00 UTC" in then.output and '"insufficient"' in then.output
    assert bad.exit_code == 2 and "--as-of: not an ISO 8601 instant" in bad.output
