"""/api/v1/webhooks: admins only; the secret is returned once; bad input names its field; the delivery log."""

from __future__ import annotations

from tests.api.conftest import API
from tests.support.fake_dns import fake_dns


def test_an_admin_registers_lists_and_removes_a_receiver(api, tokens, monkeypatch):
    fake_dns(monkeypatch, {"hooks.example": ["93.184.215.14"]})
    body = {"url": "https://hooks.example/c", "events": ["status_changed", "grade_changed"], "threshold_decades": 1}
    assert api.post(f"{API}/webhooks", json=body, headers=tokens.analyst).status_code == 403
    assert api.get(f"{API}/webhooks", headers=tokens.admin_read).status_code == 403
    created = api.post(f"{API}/webhooks", json=body, headers=tokens.admin)
    assert created.status_code == 201 and created.json()["secret"].startswith("whsec_")
    listed = api.get(f"{API}/webhooks", headers=tokens.admin).json()
    assert listed["count"] == 1 and "secret" not in listed["data"][0]
    assert listed["data"][0]["events"] == ["grade_changed", "status_changed"]
    assert api.get(f"{API}/webhooks/deliveries", headers=tokens.admin).json() == {"data": [], "count": 0}
    assert api.delete(f"{API}/webhooks/{created.json()['id']}", headers=tokens.admin).status_code == 204
    assert api.delete(f"{API}/webhooks/{created.json()['id']}", headers=tokens.admin).status_code == 404


def test_bad_receivers_are_refused_naming_the_field(api, tokens):
    for body, field in [
        ({"url": "file:///etc/passwd", "events": ["report_published"]}, "url"),
        ({"url": "https://93.184.215.14/", "events": ["anything"]}, "events.0"),
        ({"url": "https://93.184.215.14/", "events": []}, "events"),
        (
            {"url": "https://93.184.215.14/", "events": ["report_published"], "threshold_decades": -1},
            "threshold_decades",
        ),
    ]:
        refused = api.post(f"{API}/webhooks", json=body, headers=tokens.admin)
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == field, refused.text


def test_a_receiver_at_an_internal_address_is_refused_and_nothing_is_stored(api, tokens):
    for url in ["http://169.254.169.254/latest/meta-data", "http://10.0.0.1/", "http://[::1]:9/", "http://2130706433/"]:
        refused = api.post(f"{API}/webhooks", json={"url": url, "events": ["report_published"]}, headers=tokens.admin)
        assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
        error = refused.json()["errors"][0]
        assert error["field"] == "url" and "public addresses only" in error["message"], refused.text
    assert api.get(f"{API}/webhooks", headers=tokens.admin).json()["count"] == 0
