"""The sign-in throttle: how many wrong passwords may be tried, by whom, before the password is not even checked.

Every password check (the sign-in form, and the current password on /account/password) first *reserves* an
attempt: a `login_failure` row committed in a transaction of its own, then counted with the rows already there.
Over a limit, the reservation is taken back and the password is not checked; a right password takes it back
too, so the rows in a window are failures. Because each attempt counts itself only after its own row is
committed, the k-th attempt to commit sees at least k rows: of 30 wrong passwords sent at once, at most the
limit are checked, on every replica (the rows are in the shared database). Limits, each over the window:

- per name tried and client address (`CEILING_LOGIN_MAX_FAILURES`): a guesser locks out only itself;
- per client address, over every name (`CEILING_LOGIN_CLIENT_MAX_FAILURES`): password spraying from one place;
- overall, over every name and address (`CEILING_LOGIN_GLOBAL_MAX_FAILURES`): spraying from many places.

A browser that signed in as a user before carries a *device cookie* for that user (signed, random; OWASP's
"device cookies" defence). Its attempts for that user are counted per device instead, and only the device's
own failures stop it: behind a shared proxy address, a guesser who exhausts the limits for `admin` locks out
new browsers there, never the admin's own (docs/security.md). The client address is the connection's, or the
one a trusted proxy reports (CEILING_FORWARDED_ALLOW_IPS).

Why no limiter package: `limits` (behind slowapi) keeps its counters in memory, Redis, Memcached or MongoDB,
so on SQLite or PostgreSQL alone each of four worker processes would count apart; pyrate-limiter's SQLite and
PostgreSQL buckets keep one table per key and count the whole table, so a per-name key means a table per name
an attacker types. The rule here is a few queries on one indexed table that every replica already shares.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from sqlalchemy import Engine, delete
from sqlmodel import Session, func, select

from app.auth.models import LoginFailure
from app.auth.usernames import skeleton
from app.evidence.base import utcnow

log = logging.getLogger("ceiling.auth")


@dataclass(frozen=True)
class Limits:
    per_name_and_client: int
    per_client: int
    overall: int
    window_s: int


@dataclass(frozen=True)
class Attempt:
    """Who tries: the name as typed, the client address, and the device id of a known browser (or None)."""

    username: str
    client: str | None
    device: str | None = None


def device_id(nonce: str) -> str:
    """What is stored of a device cookie's random value."""
    return hashlib.sha256(nonce.encode()).hexdigest()


def _count(session: Session, since: dt.datetime, *conditions) -> int:
    query = select(func.count()).select_from(LoginFailure).where(LoginFailure.at >= since, *conditions)
    return session.exec(query).one()


def over_limit(session: Session, row: LoginFailure, limits: Limits) -> str | None:
    """Which limit the attempts counted so far (this one included) exceed, or None."""
    since = utcnow() - dt.timedelta(seconds=limits.window_s)
    if row.device is not None:
        mine = _count(session, since, LoginFailure.device == row.device)
        return "device" if mine > limits.per_name_and_client else None
    untrusted = LoginFailure.device.is_(None)
    checks = (
        ("name and client", limits.per_name_and_client,
         (LoginFailure.username == row.username, LoginFailure.client == row.client, untrusted)),
        ("client", limits.per_client, (LoginFailure.client == row.client, untrusted)),
        ("overall", limits.overall, (untrusted,)),
    )  # fmt: skip
    for name, limit, conditions in checks:
        if _count(session, since, *conditions) > limit:
            return name
    return None


def reserve(engine: Engine, attempt: Attempt, limits: Limits) -> int | None:
    """Count an attempt before its password is checked: the id of its reservation, or None when a limit is
    reached (then nothing is kept and the password must not be checked). Its own transactions, committed."""
    row = LoginFailure(username=skeleton(attempt.username)[:100], client=(attempt.client or "")[:100],
                       device=attempt.device)  # fmt: skip
    with Session(engine, expire_on_commit=False) as session:
        session.add(row)
        session.commit()
        refused = over_limit(session, row, limits)
        if refused is None:
            return row.id
        session.exec(delete(LoginFailure).where(LoginFailure.id == row.id))
        session.commit()
    log.warning("password check refused by the %s limit: username=%r client=%r device=%s", refused,
                attempt.username[:100], attempt.client, attempt.device is not None)  # fmt: skip
    return None


def release(engine: Engine, reservation: int, window_s: int) -> None:
    """The password was right: the attempt is not a failure. Failures older than the window go too."""
    with Session(engine) as session:
        old = LoginFailure.at < utcnow() - dt.timedelta(seconds=window_s)
        session.exec(delete(LoginFailure).where((LoginFailure.id == reservation) | old))
        session.commit()
