"""Every delivery checks the receiver's address again and connects to the address it checked: a subscriber whose
name now points inside, a redirect, or a name that changes between the check and the connection gets nowhere;
and the delivery log says "could not connect", never which port refused."""

from __future__ import annotations

import datetime as dt

from app.db.engine import get_engine
from app.db.session import session_scope
from app.webhooks.models import WebhookSubscription
from app.webhooks.worker import deliver_due
from tests.support.fake_dns import fake_dns
from tests.webhooks.support import attempts, publish, subscribe


def _add_unchecked(settings, url: str) -> None:
    """A subscriber stored before addresses were checked (or by hand in the database)."""
    with session_scope(get_engine(settings.database_url)) as session:
        session.add(
            WebhookSubscription(url=url, events=["report_published"], secret="whsec_" + "A" * 43, created_by="t")
        )


def test_a_subscriber_at_an_internal_address_is_refused_at_delivery_and_never_reached(settings, receiver):
    hook = receiver([200])
    strict = settings.model_copy(update={"webhook_allow_loopback": False})
    _add_unchecked(strict, hook.url)
    publish(strict)
    assert deliver_due(strict) == 1
    assert hook.requests == []
    assert attempts(strict) == [
        (None, "refused: 127.0.0.1 is not a public address (loopback, private, link-local or reserved)")
    ]


def test_a_name_that_turned_internal_after_registration_is_refused_at_delivery(settings, receiver, monkeypatch):
    answers = iter([["93.184.215.14"], ["127.0.0.1"]])
    fake_dns(monkeypatch, {"rebind.example": lambda: next(answers)})
    hook = receiver([200])
    strict = settings.model_copy(update={"webhook_allow_loopback": False})
    subscribe(strict, f"http://rebind.example:{hook.port}/hook", ["report_published"])
    publish(strict)
    assert deliver_due(strict) == 1
    assert hook.requests == [] and attempts(strict)[0][1].startswith("refused: rebind.example is not a public")


def test_a_delivery_connects_to_the_checked_address_without_resolving_the_name_again(settings, receiver, monkeypatch):
    answers = iter([["127.0.0.1"], ["127.0.0.1"]])  # registration, then the delivery's check; never a third time
    fake_dns(monkeypatch, {"pinned.example": lambda: next(answers, [])})
    hook = receiver([204])
    subscribe(settings, f"http://pinned.example:{hook.port}/hook", ["report_published"])
    publish(settings)
    assert deliver_due(settings) == 1
    assert attempts(settings) == [(204, None)]
    assert hook.requests[0][0]["Host"] == f"pinned.example:{hook.port}"


def test_a_redirect_is_not_followed(settings, receiver):
    inside = receiver([200])
    hook = receiver([("redirect", "http://169.254.169.254/latest/meta-data"), ("redirect", inside.url), 200])
    subscribe(settings, hook.url, ["report_published"])
    publish(settings)
    start = dt.datetime.now(dt.UTC)
    deliver_due(settings, lambda: start)
    deliver_due(settings, lambda: start + dt.timedelta(seconds=11))
    assert [code for code, _ in attempts(settings)] == [307, 307]
    assert inside.requests == [] and len(hook.requests) == 2


def test_the_delivery_log_does_not_tell_a_closed_port_from_an_unreachable_one(settings, receiver):
    hook = receiver([200])
    closed_port = hook.port
    hook.close()
    subscribe(settings, f"http://127.0.0.1:{closed_port}/hook", ["report_published"])
    publish(settings)
    deliver_due(settings)
    assert attempts(settings) == [(None, "could not connect")]
