"""The Atom feed of published reports, read back by a feed parser: ids, updated times and links."""

from __future__ import annotations

import calendar

import feedparser
from fastapi.testclient import TestClient

from app.main import create_app
from app.reports.build import build_snapshot
from tests.reports.conftest import EDITED_CLAIM, edit_claim, snapshot_rows

BASE = "https://ceiling.example"


def test_one_valid_atom_entry_per_published_report_linking_it_and_its_diff(report_settings):
    settings = report_settings.model_copy(update={"public_url": BASE + "/"})
    with TestClient(create_app(settings)) as client:
        empty = feedparser.parse(client.get("/reports/feed.atom").content)
        assert empty.bozo == 0 and empty.version == "atom10" and empty.entries == []
        first = build_snapshot(settings).snapshot_id
        edit_claim(settings, EDITED_CLAIM, confidence=0.2, status="retracted")
        second = build_snapshot(settings).snapshot_id
        edit_claim(settings, EDITED_CLAIM, confidence=0.3)
        build_snapshot(settings.model_copy(update={"publish_requires_approval": True}))  # a candidate: not in the feed
        answer = client.get("/reports/feed.atom")
        assert answer.headers["content-type"].startswith("application/atom+xml")
        assert client.get("/api/v1/reports/feed.atom").content == answer.content
    feed = feedparser.parse(answer.content)
    assert feed.bozo == 0 and feed.version == "atom10"
    assert feed.feed.id == f"{BASE}/reports"
    assert [e.id for e in feed.entries] == [f"{BASE}/reports/{second}", f"{BASE}/reports/{first}"]
    rows = {row.id: row for row in snapshot_rows(settings)}
    for entry in feed.entries:
        created = rows[int(entry.id.rsplit("/", 1)[1])].created_at
        assert calendar.timegm(entry.updated_parsed) == calendar.timegm(created.utctimetuple())
    newest, oldest = feed.entries
    links = {(link.rel, link.type): link.href for link in newest.links}
    assert links[("alternate", "text/html")] == f"{BASE}/reports/{second}"
    assert links[("related", "text/html")] == f"{BASE}/reports/{first}/diff/{second}"
    assert links[("alternate", "application/json")] == f"{BASE}/reports/{second}.json"
    assert f"claim {EDITED_CLAIM}" in newest.summary and "retracted" in newest.summary
    assert oldest.summary == "The first published report."
    assert calendar.timegm(feed.feed.updated_parsed) == calendar.timegm(newest.updated_parsed)
