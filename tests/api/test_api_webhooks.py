"""/api/v1/webhooks: admins only; the secret is returned once; bad input names its field; the delivery log."""

from __future__ import annotations

from tests.api.conftest import API


def test_an_admin_registers_lists_and_removes_a_receiver(api, tokens):
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
        ({"url": "https://x.example/", "events": ["anything"]}, "events.0"),
        ({"url": "https://x.example/", "events": []}, "events"),
        ({"url": "https://x.example/", "events": ["report_published"], "threshold_decades": -1}, "threshold_decades"),
    ]:
        refused = api.post(f"{API}/webhooks", json=body, headers=tokens.admin)
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == field, refused.text
