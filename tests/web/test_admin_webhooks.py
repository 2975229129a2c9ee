"""Admin pages of webhooks: register a receiver (secret shown once), errors beside their field, the delivery log."""

from __future__ import annotations

import re

from app.db.engine import build_engine
from app.db.session import session_scope
from app.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from tests.support.fake_dns import fake_dns


def test_an_admin_registers_a_receiver_and_sees_its_secret_once(admin, analyst, monkeypatch):
    fake_dns(monkeypatch, {"hooks.example": ["93.184.215.14"]})
    assert analyst.get("/admin/webhooks").status_code == 403
    data = [("url", "https://hooks.example/ceiling"), ("events", "report_published"), ("events", "ceiling_moved")]
    created = admin.post("/admin/webhooks", [*data, ("threshold", "0.3"), ("description", "<i>team</i>")])
    assert created.status_code == 200
    secret = re.search(r'id="new-secret" type="text" readonly value="(whsec_[^"]+)"', created.text).group(1)
    page = admin.get("/admin/webhooks")
    assert "https://hooks.example/ceiling" in page.text and "&lt;i&gt;team&lt;/i&gt;" in page.text
    assert secret not in page.text, "the secret is shown once"
    with admin.session() as session:
        row = session.get(WebhookSubscription, 1)
        assert (row.events, row.threshold_decades, row.secret) == (["ceiling_moved", "report_published"], 0.3, secret)


def test_a_bad_address_or_threshold_is_shown_beside_the_field_with_what_was_typed(admin):
    bad = admin.post("/admin/webhooks", {"url": "ftp://nope", "events": "report_published", "threshold": "0.5"})
    assert bad.status_code == 422 and 'id="url-error"' in bad.text and 'value="ftp://nope"' in bad.text
    inside = {"url": "http://169.254.169.254/latest", "events": "report_published", "threshold": "0.5"}
    refused = admin.post("/admin/webhooks", inside)
    assert refused.status_code == 422 and 'id="url-error"' in refused.text and "public addresses only" in refused.text
    assert 'value="http://169.254.169.254/latest"' in refused.text
    nan = admin.post("/admin/webhooks", {"url": "https://x.example/", "events": "grade_changed", "threshold": "lots"})
    assert nan.status_code == 422 and 'id="threshold-error"' in nan.text and 'value="lots"' in nan.text
    assert 'value="grade_changed" checked' in nan.text
    none = admin.post("/admin/webhooks", {"url": "https://93.184.215.14/", "threshold": "0.5"})
    assert none.status_code == 422 and 'id="events-error"' in none.text


def test_the_delivery_log_shows_each_attempts_status_code_and_a_failed_one_can_be_retried(admin):
    with session_scope(build_engine(admin.url)) as session:
        hook = WebhookSubscription(url="https://x.example/", events=["report_published"], secret="s", created_by="t")
        session.add(hook)
        session.flush()
        delivery = WebhookDelivery(
            subscription_id=hook.id, event_id="snapshot-3-report_published", event="report_published", body="{}"
        )
        delivery.state, delivery.attempts = "failed", 2
        session.add(delivery)
        session.flush()
        delivery_id = delivery.id
        session.add_all(
            [
                WebhookAttempt(delivery_id=delivery_id, status_code=502),
                WebhookAttempt(delivery_id=delivery_id, error="timed out"),
            ]
        )
    log = admin.get("/admin/webhooks").text
    assert "snapshot-3-report_published" in log and ">502</span>" in log and ">timed out</span>" in log
    assert admin.post(f"/admin/webhooks/deliveries/{delivery_id}/retry").status_code == 303
    with admin.session() as session:
        assert session.get(WebhookDelivery, delivery_id).state == "pending"
    assert admin.post("/admin/webhooks/1/active", {"active": "no"}).status_code == 303
    assert "paused" in admin.get("/admin/webhooks").text
    assert admin.post("/admin/webhooks/1/delete").status_code == 303
    assert "No subscribers yet." in admin.get("/admin/webhooks").text
