"""Names that resolve in tests without a DNS server: the system resolver answers for every other name."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable

Answers = Iterable[str] | Callable[[], Iterable[str]]


def fake_dns(monkeypatch, names: dict[str, Answers]) -> None:
    """Make each name resolve to its addresses (a callable gives the answer of each look-up in turn)."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in names:
            return real(host, port, *args, **kwargs)
        answer = names[host]
        addresses = list(answer() if callable(answer) else answer)
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port or 0))
            for a in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
