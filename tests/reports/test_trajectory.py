"""Trajectories: each aspect's ceiling over the published snapshots and as-of points, jumps naming the evidence."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.assessment.asof import assessment_as_of
from app.db.engine import get_engine
from app.main import create_app
from app.reports.build import build_snapshot
from tests.reports.conftest import EDITED_CLAIM, edit_claim


@pytest.fixture
def history(report_settings):
    """Two published reports around a retraction, and an instant between them."""
    first = build_snapshot(report_settings).snapshot_id
    between = dt.datetime.now(dt.UTC)
    time.sleep(1.1)  # snapshot times are whole seconds: keep the next one after `between`
    edit_claim(report_settings, EDITED_CLAIM, confidence=0.2, status="retracted")
    second = build_snapshot(report_settings).snapshot_id
    with TestClient(create_app(report_settings)) as client:
        yield client, first, second, between


def test_each_aspect_has_a_point_per_report_and_its_jumps_name_the_evidence(history):
    client, first, second, _ = history
    data = client.get("/api/v1/reports/trajectory").json()
    assert data["points"] == 2
    for aspect in data["aspects"]:
        assert [(p["kind"], p["snapshot_id"]) for p in aspect["points"]] == [("snapshot", first), ("snapshot", second)]
    jumps = {a["aspect_key"]: a["jumps"] for a in data["aspects"] if a["jumps"]}
    assert jumps, "the retraction moved a ceiling"
    for key, moves in jumps.items():
        assert key in ("features", "evaluation")
        assert any(f"claim {EDITED_CLAIM}" in who for move in moves for who in move["responsible"])
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/reports/trajectory.csv").text)))
    assert len(rows) == 2 * len(data["aspects"])
    assert any(EDITED_CLAIM in row["jump_responsible"] for row in rows)
    assert client.get("/reports/trajectory.csv").text == client.get("/api/v1/reports/trajectory.csv").text


def test_as_of_points_are_the_as_of_assessments(history, report_settings):
    client, _, _, between = history
    stamp = between.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    data = client.get("/api/v1/reports/trajectory", params={"as_of": stamp}).json()
    assert data["points"] == 3
    with Session(get_engine(report_settings.database_url)) as session:
        expected = {row.aspect_key: row.ceiling for row in assessment_as_of(session, between).assessment.aspects}
    for aspect in data["aspects"]:
        middle = aspect["points"][1]
        assert middle["kind"] == "as_of" and middle["snapshot_id"] is None
        assert (middle["state"], middle["params"]) == (expected[aspect["aspect_key"]].state,
                                                       expected[aspect["aspect_key"]].params)  # fmt: skip
    bad = client.get("/api/v1/reports/trajectory", params={"as_of": "later"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "as_of"


def test_the_trajectory_page_plots_every_aspect_and_lists_the_jumps(history):
    client, *_ = history
    page = client.get("/reports/trajectory", params={"points": 2})
    assert page.status_code == 200
    assert (
        '<figure id="trajectory-plot" class="plot"><svg xmlns="http://www.w3.org/2000/svg" class="plot"' in page.text
        and 'id="jumps"' in page.text
    )
    assert EDITED_CLAIM in page.text and 'href="/reports/trajectory.json?points=2"' in page.text
    assert client.get("/reports/trajectory", params={"points": 13}).status_code == 422


def test_on_a_large_store_as_of_points_are_computed_in_the_background_and_shown_once_ready(history, monkeypatch):
    """Above INLINE_AS_OF_RESULTS a request never rebuilds the store: it answers with the published reports and
    how many points are pending, and a later request has them (at 1M a first hit took minutes for six)."""
    from app.reports import trajectory

    client, *_ = history
    monkeypatch.setattr(trajectory, "INLINE_AS_OF_RESULTS", 0)
    monkeypatch.setattr(trajectory, "_PARTS", trajectory.OrderedDict())
    computed = []
    real = trajectory.as_of_point
    monkeypatch.setattr(trajectory, "as_of_point", lambda *args: computed.append(1) or real(*args))
    first = client.get("/api/v1/reports/trajectory", params={"points": 2}).json()
    assert first["pending"] == 2 and first["points"] == 2  # the two reports only
    page = client.get("/reports/trajectory", params={"points": 2})
    assert 'id="pending-points"' in page.text and "2 of the 2 as-of points" in page.text
    trajectory.wait_for_points()
    assert len(computed) == 2  # each point once, however often it was asked for meanwhile
    ready = client.get("/api/v1/reports/trajectory", params={"points": 2}).json()
    assert ready["pending"] == 0 and ready["points"] == 4
    assert 'id="pending-points"' not in client.get("/reports/trajectory", params={"points": 2}).text
