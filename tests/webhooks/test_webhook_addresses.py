"""Webhooks reach public addresses only: every spelling of an internal address is refused at registration, with
or without the loopback setting of tests, and a name is judged by every address it resolves to."""

from __future__ import annotations

import ipaddress
import secrets

import pytest
from sqlmodel import Session

from app.config import Settings
from app.evidence.errors import EvidenceError
from app.webhooks import service
from app.webhooks.addresses import checked_destination, is_allowed
from tests.support.fake_dns import fake_dns

LOOPBACK = [
    "http://127.0.0.1:9/hook",
    "http://localhost/hook",
    "http://[::1]:9/hook",
    "http://2130706433/hook",  # 127.0.0.1 in decimal
    "http://0x7f000001/hook",  # in hex
    "http://0177.0.0.1/hook",  # in octal
    "http://127.1/hook",  # short form
    "http://[::ffff:127.0.0.1]/hook",  # IPv4-mapped
    "http://[::ffff:7f00:1]/hook",  # IPv4-mapped, in hex
]
INTERNAL = [
    "http://169.254.169.254/latest/meta-data",  # the cloud metadata service
    "http://2852039166/latest/meta-data",  # the same in decimal
    "http://0xa9fea9fe/latest/meta-data",  # and in hex
    "http://[::ffff:169.254.169.254]/",
    "http://10.0.0.1/hook",
    "http://172.16.5.4/hook",
    "http://192.168.1.1/hook",
    "http://100.64.0.1/hook",  # shared address space (carrier NAT)
    "http://0.0.0.0/hook",
    "http://0/hook",
    "http://[::]/hook",
    "http://[fe80::1]/hook",
    "http://[fc00::1]/hook",
    "http://[2002:a00:1::]/hook",  # 6to4 of 10.0.0.1
    "http://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 of 169.254.169.254
    "http://224.0.0.1/hook",  # multicast
    "http://240.0.0.1/hook",  # reserved
    "http://192.0.2.1/hook",  # documentation
]


@pytest.fixture
def db_session(sqlite_seeded_url, engine_for):
    """The check comes before any write, so one backend is enough."""
    with Session(engine_for(sqlite_seeded_url)) as session:
        yield session


def _register(session, url: str, allow_loopback: bool = False):
    return service.create(session, url, ["report_published"], "test", allow_loopback=allow_loopback)


@pytest.mark.parametrize("url", LOOPBACK + INTERNAL)
def test_an_internal_address_in_any_spelling_is_refused_at_registration(db_session, url):
    with pytest.raises(EvidenceError) as refused:
        _register(db_session, url)
    assert refused.value.field == "url" and "public addresses only" in refused.value.message


@pytest.mark.parametrize("url", INTERNAL)
def test_the_loopback_setting_of_tests_lets_loopback_through_and_nothing_else(db_session, url):
    with pytest.raises(EvidenceError):
        _register(db_session, url, allow_loopback=True)


@pytest.mark.parametrize("url", LOOPBACK)
def test_with_the_setting_every_spelling_of_loopback_is_accepted(db_session, url):
    row, _ = _register(db_session, url, allow_loopback=True)
    assert row.url == url


def test_a_name_is_judged_by_every_address_it_resolves_to(db_session, monkeypatch):
    fake_dns(
        monkeypatch,
        {
            "hooks.example": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
            "mixed.example": ["93.184.215.14", "10.1.2.3"],
            "nowhere.example": [],
        },
    )
    assert _register(db_session, "https://hooks.example/ceiling")[0].id
    for url, words in [
        ("https://mixed.example/", "mixed.example is not a public address"),
        ("https://nowhere.example/", "nowhere.example could not be resolved"),
        ("https://93.184.215.14:99999/", "a port between 1 and 65535"),
        ("http://[::1/hook", "a well-formed address"),
        ("http://" + "a" * 70 + ".example/", "could not be resolved"),
    ]:
        with pytest.raises(EvidenceError) as refused:
            _register(db_session, url)
        assert words in refused.value.message


def test_a_checked_destination_connects_to_the_address_and_keeps_the_name_for_host_and_tls(monkeypatch):
    fake_dns(monkeypatch, {"hooks.example": ["2606:2800:21f:cb07:6820:80da:af6b:8b2c"]})
    target = checked_destination("https://hooks.example:8443/in?x=1")
    assert target.url == "https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:8443/in?x=1"
    assert (target.host_header, target.server_name) == ("hooks.example:8443", "hooks.example")


def test_public_addresses_are_allowed_and_carried_internal_ones_are_not():
    assert is_allowed(ipaddress.ip_address("93.184.215.14"))
    assert is_allowed(ipaddress.ip_address("2002:5db8:d70e::"))  # 6to4 of a public address
    assert not is_allowed(ipaddress.ip_address("2001:0:4136:e378:8000:63bf:f5ff:fffe"))  # Teredo of 10.0.0.1
    assert not is_allowed(ipaddress.ip_address("64:ff9b::7f00:1"), allow_loopback=False)


def test_production_refuses_the_loopback_setting():
    with pytest.raises(ValueError, match="CEILING_WEBHOOK_ALLOW_LOOPBACK is for tests"):
        Settings(
            environment="production", secret_key=secrets.token_hex(32), webhook_allow_loopback=True, _env_file=None
        )
