"""Webhook events of a publication, put in the outbox in the same transaction as the publication itself.

A report published gives `report_published` to every subscriber that wants it; its diff from the report
before gives `ceiling_moved` (a ceiling shifted by more than the subscriber's threshold in orders of
magnitude, or changed state), `status_changed` (an aspect's status at a scale band) and `grade_changed`
(an aspect's confidence grade). Because the outbox rows commit with the snapshot, a publication is never
announced without being published, nor published without being announced.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlmodel import Session, select

from app.webhooks.models import WebhookDelivery, WebhookEvent, WebhookSubscription


def _moved(ceilings: list[dict[str, Any]], threshold: float) -> list[dict[str, Any]]:
    """The ceiling moves beyond the threshold; a change of state (e.g. to 'not reached') always counts."""
    return [c for c in ceilings if c.get("shift_decades") is None or abs(c["shift_decades"]) > threshold]


def _payload_changes(event: WebhookEvent, diff: dict[str, Any] | None, threshold: float) -> list[dict] | None:
    """What the event reports, or None when it does not apply to this publication."""
    if event is WebhookEvent.report_published:
        return diff["lines"] if diff else []
    if diff is None:
        return None
    found = {
        WebhookEvent.ceiling_moved: _moved(diff["ceilings"], threshold),
        WebhookEvent.status_changed: diff["bands"],
        WebhookEvent.grade_changed: diff["confidence"],
    }[event]
    return found or None


def enqueue_publication(
    session: Session,
    snapshot: dict[str, Any],
    previous_id: int | None,
    diff: dict[str, Any] | None,
    public_url: str,
) -> int:
    """Add the deliveries of one publication to the outbox; returns how many. The caller commits."""
    base = public_url.rstrip("/")
    links = {"report": f"{base}/reports/{snapshot['id']}", "json": f"{base}/reports/{snapshot['id']}.json"}
    if previous_id is not None:
        links["diff"] = f"{base}/reports/{previous_id}/diff/{snapshot['id']}"
    count = 0
    for subscription in session.exec(select(WebhookSubscription).where(WebhookSubscription.active)):
        for name in subscription.events:
            event = WebhookEvent(name)
            changes = _payload_changes(event, diff, subscription.threshold_decades)
            if changes is None:
                continue
            event_id = f"snapshot-{snapshot['id']}-{event.value}"
            body = {
                "id": event_id,
                "event": event.value,
                "occurred_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "snapshot": {**snapshot, "previous_id": previous_id, "links": links},
                "changes": changes,
            }
            session.add(
                WebhookDelivery(
                    subscription_id=subscription.id,
                    event_id=event_id,
                    event=event.value,
                    body=json.dumps(body, sort_keys=True, separators=(",", ":")),
                )
            )
            count += 1
    session.flush()
    return count
