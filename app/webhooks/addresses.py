"""Where a webhook may go: public addresses only, checked when a receiver is registered and again at every delivery.

The receiver's host is resolved and every address it resolves to must be public: not loopback, private
(10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16 with the cloud metadata service, fe80::/10),
shared (100.64/10), unspecified (0.0.0.0, ::), multicast, documentation or reserved. IPv6 forms that carry an
IPv4 address (IPv4-mapped ::ffff:a.b.c.d, 6to4 2002::/16, NAT64 64:ff9b::/96, Teredo) are judged by that
address too. Resolution goes through the system resolver, so the decimal (2130706433), hex (0x7f000001),
octal (0177.0.0.1) and short (127.1) spellings of an address are judged by the address they mean.

A delivery then connects to the address that was checked, never resolving the name a second time (a name
that answers a public address to the check and an internal one to the connection gets nowhere); the name
still goes in the Host header and the TLS server name. Loopback is allowed only with
CEILING_WEBHOOK_ALLOW_LOOPBACK, for tests, and never in production.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
REFUSED = "not a public address (loopback, private, link-local or reserved)"


class RefusedAddress(ValueError):
    """The receiver's address may not be delivered to; the message says why in words fit for the log."""


@dataclass(frozen=True)
class Destination:
    """A checked receiver: the URL to connect to (by address) and the name it answers to."""

    url: str
    host_header: str
    server_name: str | None


def _carried_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if address.version == 4:
        return None
    if address.ipv4_mapped or address.sixtofour:
        return address.ipv4_mapped or address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_allowed(address: IPAddress, allow_loopback: bool = False) -> bool:
    """Whether a delivery may connect to this address (and to the IPv4 address it carries, if any)."""
    inner = _carried_ipv4(address)
    if allow_loopback and (address.is_loopback or (inner is not None and inner.is_loopback)):
        return True
    public = address.is_global and not address.is_multicast
    return public and (inner is None or (inner.is_global and not inner.is_multicast))


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the host resolves to (an IP literal in any spelling resolves to itself)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise RefusedAddress(f"{host} could not be resolved") from error
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]


def checked_destination(url: str, allow_loopback: bool = False) -> Destination:
    """Resolve the URL's host, refuse it unless every address is allowed, and pin the first one."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(host, port)
    if not addresses or not all(is_allowed(a, allow_loopback) for a in addresses):
        raise RefusedAddress(f"{host} is {REFUSED}")
    pinned = addresses[0]
    netloc = f"[{pinned}]:{port}" if pinned.version == 6 else f"{pinned}:{port}"
    return Destination(
        url=urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")),
        host_header=parts.netloc,
        server_name=host if parts.scheme == "https" else None,
    )
