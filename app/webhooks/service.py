"""Webhook subscriptions (admins register receivers) and the delivery log: one service for pages, API and CLI."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlmodel import Session, col, select

from app.evidence.base import utcnow
from app.evidence.errors import EvidenceError, NotFound
from app.webhooks.addresses import RefusedAddress, checked_destination
from app.webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscription
from app.webhooks.signing import new_secret

MAX_THRESHOLD_DECADES = 10.0


def _checked_url(url: str, allow_loopback: bool) -> str:
    """A well-formed http(s) address whose host resolves to public addresses only (app/webhooks/addresses.py)."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError:
        raise EvidenceError("a well-formed address with a port between 1 and 65535", field="url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2000:
        raise EvidenceError("an http:// or https:// address with a host, at most 2000 characters", field="url")
    if parts.username or parts.password:
        raise EvidenceError("put no credentials in the address; deliveries are signed instead", field="url")
    try:
        checked_destination(url, allow_loopback)
    except RefusedAddress as refused:
        raise EvidenceError(f"webhooks go to public addresses only: {refused}", field="url") from None
    return url


def _checked_events(events: list[str]) -> list[str]:
    chosen = sorted(set(events))
    unknown = [e for e in chosen if e not in WebhookEvent.__members__]
    if unknown or not chosen:
        allowed = ", ".join(WebhookEvent)
        raise EvidenceError(f"choose at least one event of: {allowed}", field="events")
    return chosen


def create(
    session: Session,
    url: str,
    events: list[str],
    created_by: str,
    threshold_decades: float = 0.5,
    description: str = "",
    *,
    allow_loopback: bool = False,
) -> tuple[WebhookSubscription, str]:
    """Register a receiver; returns it and its signing secret (shown to the admin once, never logged).

    The address is resolved now and refused unless public (loopback only with allow_loopback, for tests).
    """
    if not 0 < threshold_decades <= MAX_THRESHOLD_DECADES:
        raise EvidenceError(f"a number of decades above 0 and at most {MAX_THRESHOLD_DECADES:g}", field="threshold")
    if len(description) > 500 or "\x00" in description:
        raise EvidenceError("at most 500 characters", field="description")
    secret = new_secret()
    row = WebhookSubscription(
        url=_checked_url(url, allow_loopback),
        events=_checked_events(events),
        threshold_decades=threshold_decades,
        description=description.strip(),
        secret=secret,
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return row, secret


def get_all(session: Session) -> list[WebhookSubscription]:
    return list(session.exec(select(WebhookSubscription).order_by(WebhookSubscription.id)))


def get(session: Session, subscription_id: int) -> WebhookSubscription:
    row = session.get(WebhookSubscription, subscription_id)
    if row is None:
        raise NotFound(f"no webhook subscription {subscription_id}")
    return row


def set_active(session: Session, subscription_id: int, active: bool) -> WebhookSubscription:
    """Pause (no new deliveries are queued for it) or resume a subscription."""
    row = get(session, subscription_id)
    row.active = active
    session.add(row)
    session.flush()
    return row


def delete(session: Session, subscription_id: int) -> None:
    """Remove a subscription with its deliveries and their log."""
    session.delete(get(session, subscription_id))
    session.flush()


def deliveries(session: Session, limit: int = 100) -> list[WebhookDelivery]:
    """The newest deliveries, with their state and the last status code."""
    return list(session.exec(select(WebhookDelivery).order_by(col(WebhookDelivery.id).desc()).limit(limit)))


def attempts_of(session: Session, delivery_ids: list[int]) -> dict[int, list[WebhookAttempt]]:
    """Every attempt of these deliveries, oldest first."""
    found: dict[int, list[WebhookAttempt]] = {i: [] for i in delivery_ids}
    query = select(WebhookAttempt).where(col(WebhookAttempt.delivery_id).in_(delivery_ids))
    for attempt in session.exec(query.order_by(WebhookAttempt.id)):
        found[attempt.delivery_id].append(attempt)
    return found


def retry(session: Session, delivery_id: int) -> WebhookDelivery:
    """Queue a given-up delivery again, due now (a delivered one is never sent twice)."""
    row = session.get(WebhookDelivery, delivery_id)
    if row is None:
        raise NotFound(f"no webhook delivery {delivery_id}")
    if row.state != DeliveryState.failed:
        raise EvidenceError(f"delivery {delivery_id} is {row.state}; only a failed one is retried", field="state")
    row.state, row.next_attempt_at, row.attempts = DeliveryState.pending, utcnow(), 0
    session.add(row)
    session.flush()
    return row
