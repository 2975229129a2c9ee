"""The webhook worker: sends due deliveries from the outbox, retries with exponential backoff.

Everything it knows is in the database, so it survives a restart. A delivery is claimed with a
conditional UPDATE that sets a lease (only one worker can win it, on SQLite and PostgreSQL alike);
a worker that dies mid-send leaves a lease that expires, and another worker sends it again. A 2xx
answer marks it delivered, and a delivered row is never selected again: once acknowledged, never
sent twice. (If the process dies between the receiver's 2xx and the commit of `delivered`, the
delivery is repeated once its lease expires, with the same webhook-id: receivers deduplicate
on it.) Other answers, timeouts and connection errors are logged as attempts and tried again after
backoff_s * 2^(attempts-1), at most six hours, until max_attempts, when the delivery is `failed`.
Every attempt resolves and checks the receiver's address again (app/webhooks/addresses.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable

import httpx
from sqlalchemy import Engine, or_, update
from sqlmodel import Session, col, select

from app.config import Settings
from app.db.engine import get_engine
from app.db.session import session_scope
from app.webhooks.addresses import RefusedAddress, checked_destination
from app.webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookSubscription
from app.webhooks.signing import signed_headers

log = logging.getLogger("ceiling.webhooks")
MAX_BACKOFF_S = 6 * 3600
BATCH = 50
JOB_ID = "webhook-deliveries"


def backoff_s(settings: Settings, attempts: int) -> float:
    """The wait after the attempts-th failure."""
    return min(settings.webhook_backoff_s * 2 ** max(attempts - 1, 0), MAX_BACKOFF_S)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _claim(engine: Engine, now: dt.datetime, lease_s: float) -> list[int]:
    """Win the due deliveries: each conditional UPDATE lets exactly one worker through."""
    due = (
        (WebhookDelivery.state == DeliveryState.pending)
        & (WebhookDelivery.next_attempt_at <= now)
        & or_(col(WebhookDelivery.lease_until).is_(None), col(WebhookDelivery.lease_until) < now)
    )
    won = []
    with session_scope(engine) as session:
        ids = list(session.exec(select(WebhookDelivery.id).where(due).order_by(WebhookDelivery.id).limit(BATCH)))
        for delivery_id in ids:
            claimed = session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id == delivery_id, due)
                .values(lease_until=now + dt.timedelta(seconds=lease_s))
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount == 1:
                won.append(delivery_id)
    return won


def _send(
    client: httpx.Client, url: str, secret: str, event_id: str, body: str, allow_loopback: bool
) -> tuple[int | None, str | None]:
    """POST the signed body to the checked address; the status code, or the error when there is none.

    The errors are coarse on purpose: the log says a receiver could not be reached, never why a port refused,
    so it cannot serve to map a network. Redirects are not followed (a 3xx is a failed attempt).
    """
    raw = body.encode()
    try:
        target = checked_destination(url, allow_loopback)
    except RefusedAddress as refused:
        return None, f"refused: {refused}"
    headers = {**signed_headers(secret, event_id, raw), "Host": target.host_header}
    extensions = {"sni_hostname": target.server_name} if target.server_name else {}
    try:
        answer = client.post(target.url, content=raw, headers=headers, extensions=extensions)
    except (httpx.ConnectError, httpx.ConnectTimeout):
        return None, "could not connect"
    except httpx.TimeoutException:
        return None, "timed out"
    except httpx.HTTPError:
        return None, "no valid HTTP answer"
    return answer.status_code, None


def _record(session: Session, settings: Settings, delivery_id: int, answer: tuple, ms: int, moment: dt.datetime):
    """Log the attempt and move the delivery on: delivered, due again after backoff, or given up."""
    code, error = answer
    row = session.get(WebhookDelivery, delivery_id)
    session.add(WebhookAttempt(delivery_id=delivery_id, at=moment, status_code=code, error=error, duration_ms=ms))
    row.attempts += 1
    row.last_status_code, row.last_error, row.lease_until = code, error, None
    if code is not None and 200 <= code < 300:
        row.state, row.delivered_at = DeliveryState.delivered, moment
    elif row.attempts >= settings.webhook_max_attempts:
        row.state = DeliveryState.failed
    else:
        row.next_attempt_at = moment + dt.timedelta(seconds=backoff_s(settings, row.attempts))
    session.add(row)


def deliver_due(settings: Settings, now: Callable[[], dt.datetime] = _now) -> int:
    """Send every delivery that is due now; returns how many were attempted."""
    engine = get_engine(settings.database_url)
    claimed = _claim(engine, now(), settings.webhook_timeout_s + 30)
    with httpx.Client(timeout=settings.webhook_timeout_s, follow_redirects=False) as client:
        for delivery_id in claimed:
            with Session(engine) as session:
                delivery = session.get(WebhookDelivery, delivery_id)
                target = session.get(WebhookSubscription, delivery.subscription_id)
                url, secret, event_id, body = target.url, target.secret, delivery.event_id, delivery.body
            started = time.perf_counter()
            answer = _send(client, url, secret, event_id, body, settings.webhook_allow_loopback)
            elapsed = int((time.perf_counter() - started) * 1000)
            with session_scope(engine) as session:
                _record(session, settings, delivery_id, answer, elapsed, now())
            log.info("webhook delivery %s (%s) to %s: %s", delivery_id, event_id, url, answer[0] or answer[1])
    return len(claimed)


def scheduled_delivery(settings: Settings) -> None:
    """The scheduler's job: never raises (the next tick tries again)."""
    try:
        deliver_due(settings)
    except Exception as error:  # noqa: BLE001 - a failing database must not stop the schedule
        log.error("webhook deliveries failed: %s: %s", type(error).__name__, error)


def add_delivery_job(scheduler, settings: Settings) -> None:
    """Deliver webhooks every settings.webhook_poll_s, in the same scheduler as the report builds."""
    scheduler.add_job(
        scheduled_delivery,
        "interval",
        seconds=settings.webhook_poll_s,
        args=[settings],
        id=JOB_ID,
        coalesce=True,
        max_instances=1,
        replace_existing=True,
    )
