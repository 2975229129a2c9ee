"""Webhook deliveries through a local receiver on 127.0.0.1: signed by the Standard Webhooks specification (checked
with its library), retried with backoff after a failure and a timeout, delivered once acknowledged and never
again, and carried over a restart by the outbox."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets

import pytest
from sqlmodel import Session, select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from app.db.engine import get_engine
from app.db.session import session_scope
from app.webhooks import service
from app.webhooks.models import WebhookDelivery, WebhookSubscription
from app.webhooks.worker import _claim, deliver_due
from tests.webhooks.support import SNAPSHOT
from tests.webhooks.support import attempts as _attempts
from tests.webhooks.support import publish as _publish
from tests.webhooks.support import subscribe as _subscribe


def test_a_failing_then_hanging_receiver_gets_the_delivery_once_it_recovers_and_never_again(settings, receiver):
    hook = receiver([500, "hang", 200])
    secret = _subscribe(settings, hook.url, ["report_published"])
    _publish(settings)
    start = dt.datetime.now(dt.UTC)
    at = lambda seconds: lambda: start + dt.timedelta(seconds=seconds)  # noqa: E731
    assert deliver_due(settings, at(0)) == 1
    assert deliver_due(settings, at(5)) == 0, "not due before the backoff"
    assert deliver_due(settings, at(11)) == 1  # times out
    get_engine.cache_clear()  # a restart: nothing but the database carries over
    assert deliver_due(settings, at(25)) == 0, "the second wait is twice the first"
    assert deliver_due(settings, at(32)) == 1
    assert deliver_due(settings, at(86400)) == 0
    assert [code for code, _ in _attempts(settings)] == [500, None, 200]
    assert _attempts(settings)[1][1] == "timed out"
    bodies = {body for _, body in hook.requests}
    assert len(hook.requests) == 3 and len(bodies) == 1, "retries send the same body"
    for headers, body in hook.requests:
        assert headers["webhook-id"] == "snapshot-7-report_published"
        assert Webhook(secret).verify(body, headers)["id"] == "snapshot-7-report_published"
        with pytest.raises(WebhookVerificationError):
            Webhook(base64.b64encode(b"w" * 32).decode()).verify(body, headers)
    payload = json.loads(bodies.pop())
    assert payload["event"] == "report_published" and payload["snapshot"]["links"] == {
        "report": "https://ceiling.example/reports/7",
        "json": "https://ceiling.example/reports/7.json",
        "diff": "https://ceiling.example/reports/6/diff/7",
    }
    with Session(get_engine(settings.database_url)) as session:
        delivery = session.exec(select(WebhookDelivery)).one()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("delivered", 3, 200)


def test_a_delivery_claimed_by_a_worker_that_died_is_sent_once_its_lease_expires(settings, receiver):
    hook = receiver([200])
    _subscribe(settings, hook.url, ["report_published"])
    _publish(settings)
    now = dt.datetime.now(dt.UTC)
    engine = get_engine(settings.database_url)
    assert len(_claim(engine, now, 60)) == 1  # the worker that dies right after claiming
    assert _claim(engine, now, 60) == [], "a claimed delivery is not won twice"
    assert deliver_due(settings, lambda: now + dt.timedelta(seconds=30)) == 0
    assert deliver_due(settings, lambda: now + dt.timedelta(seconds=61)) == 1
    assert len(hook.requests) == 1


def test_a_receiver_that_never_recovers_is_given_up_after_the_last_attempt(settings, receiver):
    hook = receiver([503, 503, 503, 200])
    _subscribe(settings, hook.url, ["report_published"])
    _publish(settings)
    start = dt.datetime.now(dt.UTC)
    for seconds in (0, 11, 32, 80, 200):
        deliver_due(settings, lambda s=seconds: start + dt.timedelta(seconds=s))
    assert [code for code, _ in _attempts(settings)] == [503, 503, 503] and len(hook.requests) == 3
    with Session(get_engine(settings.database_url)) as session:
        assert session.exec(select(WebhookDelivery.state)).one() == "failed"


def test_events_follow_each_subscribers_filter_and_threshold(settings):
    _subscribe(settings, "http://127.0.0.1:9/a", ["ceiling_moved"], threshold=0.5)
    _subscribe(settings, "http://127.0.0.1:9/b", ["ceiling_moved", "grade_changed", "status_changed"], threshold=0.3)
    _publish(settings)
    _publish(settings, {**SNAPSHOT, "id": 8}, None)  # a first report: nothing moved
    with Session(get_engine(settings.database_url)) as session:
        events = sorted(session.exec(select(WebhookDelivery.subscription_id, WebhookDelivery.event)))
    assert events == [(2, "ceiling_moved"), (2, "grade_changed")]


def test_bad_subscriptions_are_refused_naming_the_field(settings):
    with session_scope(get_engine(settings.database_url)) as session:
        for url, events, threshold, field in [
            ("ftp://example.org/x", ["report_published"], 0.5, "url"),
            ("https://user:pw@example.org/", ["report_published"], 0.5, "url"),
            ("https://93.184.215.14/", [], 0.5, "events"),
            ("https://93.184.215.14/", ["everything"], 0.5, "events"),
            ("https://93.184.215.14/", ["report_published"], 0, "threshold"),
        ]:
            with pytest.raises(service.EvidenceError) as refused:
                service.create(session, url, events, "test", threshold)
            assert refused.value.field == field


def test_the_commands_register_list_show_deliveries_and_run_the_worker_once(settings, receiver, monkeypatch):
    from typer.testing import CliRunner

    from app.cli import cli
    from app.config import get_settings

    hook = receiver([204])
    monkeypatch.setenv("CEILING_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CEILING_WEBHOOK_ALLOW_LOOPBACK", "true")
    get_settings.cache_clear()
    run = CliRunner().invoke
    try:
        added = run(cli, ["webhooks", "add", hook.url, "--event", "report_published"])
        assert added.exit_code == 0 and "signing secret (shown once): whsec_" in added.output
        assert run(cli, ["webhooks", "add", "ftp://x", "--event", "report_published"]).exit_code == 1
        assert "127.0.0.1" in run(cli, ["webhooks", "list"]).output
        _publish(settings)
        assert "1 deliveries attempted" in run(cli, ["webhooks", "worker", "--once"]).output
        log = run(cli, ["webhooks", "deliveries"]).output
        assert "delivered" in log and "204" in log
        assert run(cli, ["webhooks", "remove", "1"]).exit_code == 0
    finally:
        get_settings.cache_clear()
    assert len(hook.requests) == 1


def test_the_headers_of_before_are_still_sent_and_a_secret_made_before_signs_by_the_standard_too(settings, receiver):
    """Receivers that verify Ceiling-Webhook-Signature keep working for one release (docs/security.md)."""
    hook = receiver([200])
    _subscribe(settings, hook.url, ["report_published"])
    old_secret = "whsec_" + secrets.token_urlsafe(32)  # how secrets were made before the Standard Webhooks form
    with session_scope(get_engine(settings.database_url)) as session:
        session.get(WebhookSubscription, 1).secret = old_secret
    _publish(settings)
    assert deliver_due(settings) == 1
    headers, body = hook.requests[0]
    signed = headers["Ceiling-Webhook-Timestamp"].encode() + b"." + body
    legacy = "v1=" + hmac.new(old_secret.encode(), signed, hashlib.sha256).hexdigest()
    assert headers["Ceiling-Webhook-Signature"] == legacy
    assert headers["Ceiling-Webhook-Id"] == headers["webhook-id"]
    key = base64.urlsafe_b64decode(old_secret.removeprefix("whsec_") + "=")  # the same 32 bytes, as the docs say
    assert Webhook(key).verify(body, headers)["event"] == "report_published"
