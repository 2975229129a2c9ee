"""The Atom feed of published reports: one entry per snapshot, saying what moved and linking the report
and its diff. Ids and links are absolute, under settings.public_url, so they stay the same for every reader."""

from __future__ import annotations

import datetime as dt

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from sqlmodel import Session

from app.reports import snapshots

ATOM = "application/atom+xml; charset=utf-8"
FEED_SIZE = 50
MAX_SUMMARY_LINES = 30


class _Entry(FeedEntry):
    """feedgen 1.0.0 drops rel and type from an entry's links (its loop variable shadows the link);
    put them back on the elements it wrote, in the same order."""

    def atom_entry(self, extensions=True):
        entry = super().atom_entry(extensions)
        written = [e for e in entry if e.tag.endswith("link")]
        for element, link in zip(written, self.link() or [], strict=False):
            for name in ("rel", "type"):
                if link.get(name):
                    element.attrib[name] = link[name]
        return entry


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _summary(lines: list[str] | None) -> str:
    if lines is None:
        return "The first published report."
    if not lines:
        return "Nothing moved: the report was rebuilt with the same assessment."
    shown = lines[:MAX_SUMMARY_LINES]
    more = len(lines) - len(shown)
    return "\n".join(shown + ([f"... and {more} more changes"] if more else []))


def atom_feed(session: Session, public_url: str) -> bytes:
    """The newest published snapshots as Atom 1.0 (newest first)."""
    base = public_url.rstrip("/")
    rows = snapshots.get_all(session, FEED_SIZE + 1)
    feed = FeedGenerator()
    feed.id(f"{base}/reports")
    feed.title("Tractability ceiling reports")
    feed.subtitle("Each published report of the assessment, with what moved since the one before.")
    feed.link(href=f"{base}/reports/feed.atom", rel="self", type="application/atom+xml")
    feed.link(href=f"{base}/reports", rel="alternate", type="text/html")
    feed.language("en")
    feed.updated(_aware(rows[0].created_at) if rows else dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    for index, row in enumerate(rows[:FEED_SIZE]):
        previous = rows[index + 1] if index + 1 < len(rows) else snapshots.previous_of(session, row)
        changes = snapshots.diff_rows(previous, row)["lines"] if previous is not None else None
        entry = feed.add_entry(_Entry(), order="append")
        entry.id(f"{base}/reports/{row.id}")
        entry.title(f"Report {row.id} of {snapshots.snapshot_meta(row)['created_at']}")
        entry.updated(_aware(row.created_at))
        entry.published(_aware(row.created_at))
        entry.link(href=f"{base}/reports/{row.id}", rel="alternate", type="text/html")
        if previous is not None:
            entry.link(href=f"{base}/reports/{previous.id}/diff/{row.id}", rel="related", type="text/html")
        entry.link(href=f"{base}/reports/{row.id}.json", rel="alternate", type="application/json")
        entry.summary(_summary(changes))
        entry.author({"name": "Ceiling"})
    return feed.atom_str(pretty=True)
