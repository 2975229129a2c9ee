"""Webhook deliveries through a local receiver on 127.0.0.1: signed, retried with backoff after a failure
and a timeout, delivered once acknowledged and never again, and carried over a restart by the outbox."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
import time
from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from app.db.engine import get_engine
from app.db.session import session_scope
from app.webhooks import service
from app.webhooks.events import enqueue_publication
from app.webhooks.models import WebhookAttempt, WebhookDelivery
from app.webhooks.signing import verify
from app.webhooks.worker import _claim, deliver_due
from tests.conftest import make_settings

DIFF = {
    "lines": ["features ceiling: 1B -> 3B"],
    "ceilings": [{"aspect": "features", "before": "1B", "after": "3B", "shift_decades": 0.48, "responsible": ["x"]}],
    "bands": [],
    "confidence": [{"aspect": "circuits", "before": "low", "after": "moderate", "responsible": ["y"]}],
}
SNAPSHOT = {"id": 7, "fingerprint": "f" * 64, "created_at": "2026-12-03 14:00 UTC"}


class Receiver:
    """An HTTP receiver that answers each request with the next scripted behaviour: a status or 'hang'."""

    def __init__(self, script: list):
        self.script, self.requests = list(script), []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server interface
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                action = receiver.script.pop(0) if receiver.script else 200
                if action == "hang":
                    time.sleep(1.5)
                    action = 200
                try:
                    self.send_response(action)
                    self.end_headers()
                except OSError:
                    pass  # the worker gave up waiting

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator:
    made = []

    def make(script: list) -> Receiver:
        made.append(Receiver(script))
        return made[-1]

    yield make
    for r in made:
        r.close()


@pytest.fixture
def settings(seeded_url, tmp_path):
    return make_settings(seeded_url, tmp_path, webhook_timeout_s=0.5, webhook_backoff_s=10, webhook_max_attempts=3)


def _subscribe(settings, url: str, events: list[str], threshold: float = 0.5) -> str:
    with session_scope(get_engine(settings.database_url)) as session:
        return service.create(session, url, events, "test", threshold)[1]


def _publish(settings, snapshot=SNAPSHOT, diff=DIFF) -> None:
    with session_scope(get_engine(settings.database_url)) as session:
        enqueue_publication(session, snapshot, 6, diff, "https://ceiling.example")


def _attempts(settings) -> list:
    with Session(get_engine(settings.database_url)) as session:
        return [(a.status_code, a.error) for a in session.exec(select(WebhookAttempt).order_by(WebhookAttempt.id))]


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
        assert headers["Ceiling-Webhook-Id"] == "snapshot-7-report_published"
        assert verify(secret, headers["Ceiling-Webhook-Timestamp"], body, headers["Ceiling-Webhook-Signature"])
        assert not verify("wrong", headers["Ceiling-Webhook-Timestamp"], body, headers["Ceiling-Webhook-Signature"])
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
            ("https://example.org/", [], 0.5, "events"),
            ("https://example.org/", ["everything"], 0.5, "events"),
            ("https://example.org/", ["report_published"], 0, "threshold"),
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
