"""The signature of a webhook delivery, and its check (a receiver may copy `verify`).

Headers of every delivery:
    Ceiling-Webhook-Id: the event id (the same for every retry: a receiver deduplicates on it)
    Ceiling-Webhook-Timestamp: Unix seconds when this attempt was signed
    Ceiling-Webhook-Signature: v1=<hex HMAC-SHA256 over "<timestamp>.<raw body>" with the subscriber's secret>
A receiver recomputes the HMAC over the raw bytes it received, compares in constant time, and refuses a
timestamp more than five minutes from its clock (so a captured delivery cannot be replayed later).
"""

from __future__ import annotations

import hashlib
import hmac
import time

TOLERANCE_S = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The Ceiling-Webhook-Signature header value."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"v1={mac.hexdigest()}"


def signed_headers(secret: str, event_id: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = int(time.time() if now is None else now)
    return {
        "Content-Type": "application/json",
        "User-Agent": "Ceiling-Webhooks/1",
        "Ceiling-Webhook-Id": event_id,
        "Ceiling-Webhook-Timestamp": str(timestamp),
        "Ceiling-Webhook-Signature": signature(secret, timestamp, body),
    }


def verify(secret: str, timestamp: str, body: bytes, header: str, now: float | None = None) -> bool:
    """Whether a delivery is authentic and fresh: what a receiver checks before trusting it."""
    if not timestamp.isdigit() or abs((time.time() if now is None else now) - int(timestamp)) > TOLERANCE_S:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), body), header.strip())
