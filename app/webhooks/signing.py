"""The signature of a webhook delivery, by the Standard Webhooks specification (https://www.standardwebhooks.com).

Headers of every delivery:
    webhook-id: the event id (the same for every retry: a receiver deduplicates on it)
    webhook-timestamp: Unix seconds when this attempt was signed
    webhook-signature: v1,<base64 HMAC-SHA256 over "<id>.<timestamp>.<raw body>">
The key is the subscriber's secret without its `whsec_` prefix, base64-decoded. A receiver verifies with a
Standard Webhooks library in its own language (Python: `standardwebhooks.Webhook(secret).verify(body, headers)`),
which also refuses a timestamp more than five minutes from its clock.

For one release the headers of before are sent too, so that receivers that verify them keep working while
they move to the library (docs/security.md): Ceiling-Webhook-Id, Ceiling-Webhook-Timestamp and
Ceiling-Webhook-Signature: v1=<hex HMAC-SHA256 over "<timestamp>.<raw body>", keyed by the secret string>.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

PREFIX = "whsec_"


def new_secret() -> str:
    """A signing secret in the Standard Webhooks form: whsec_ and 32 random bytes in base64."""
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    """The HMAC key of a secret; secrets made before this release are URL-safe base64 of the same 32 bytes."""
    encoded = secret.removeprefix(PREFIX).replace("-", "+").replace("_", "/")
    return base64.b64decode(encoded + "=" * (-len(encoded) % 4))


def standard_signature(secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    """The webhook-signature header value."""
    mac = hmac.new(_key(secret), f"{event_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def legacy_signature(secret: str, timestamp: int, body: bytes) -> str:
    """The Ceiling-Webhook-Signature header value of before (deprecated: removed in the next release)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"v1={mac.hexdigest()}"


def signed_headers(secret: str, event_id: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = int(time.time() if now is None else now)
    return {
        "Content-Type": "application/json",
        "User-Agent": "Ceiling-Webhooks/2",
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": standard_signature(secret, event_id, timestamp, body),
        "Ceiling-Webhook-Id": event_id,
        "Ceiling-Webhook-Timestamp": str(timestamp),
        "Ceiling-Webhook-Signature": legacy_signature(secret, timestamp, body),
    }
