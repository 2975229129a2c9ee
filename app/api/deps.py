"""Dependencies of the API: the session, who is calling (Bearer tokens), and preconditions (If-Match).

Who may do what:
- reads: anyone when settings.public_reads (the default), else any valid token (401 without);
- writes: a write-scoped token of an analyst or admin (401 without a valid token, 403 with a
  read token or a viewer's token);
- approving or rejecting a candidate report: a write-scoped token of an editor or admin;
- restore and `include_deleted=true`: an admin (403 for others).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import BackgroundTasks, Depends, Header, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.auth import service as auth
from app.auth.models import ApiToken, TokenScope, User
from app.auth.roles import Role
from app.db.session import SessionDep, SettingsDep
from app.evidence.history import Actor
from app.evidence.services import visibility

ApiSession = SessionDep

bearer = HTTPBearer(
    auto_error=False,
    description="An API token from `ceiling tokens create USER --scope read|write`, sent as Authorization: Bearer.",
)
CHALLENGE = 'Bearer realm="ceiling"'


def unauthorized(detail: str, error: str | None = None) -> HTTPException:
    challenge = CHALLENGE + (f', error="{error}"' if error else "")
    return HTTPException(401, detail, headers={"WWW-Authenticate": challenge})


def forbidden(detail: str) -> HTTPException:
    return HTTPException(403, detail, headers={"WWW-Authenticate": CHALLENGE + ', error="insufficient_scope"'})


@dataclass(frozen=True)
class Principal:
    """The user behind a valid bearer token, and the token."""

    user: User
    token: ApiToken

    @property
    def actor(self) -> Actor:
        return Actor(name=self.user.username, user_id=self.user.id, role=self.user.role)

    @property
    def is_admin(self) -> bool:
        return auth.role_at_least(self.user.role, Role.admin)


def caller(
    request: Request,
    session: ApiSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    after_response: BackgroundTasks,
) -> Principal | None:
    """The caller's principal, None without an Authorization header; 401 for a bad or unknown token.

    An analyst's (or higher role's) token of either scope sees unpublished claims too (visibility.py). The
    token's use is recorded after the response, in its own transaction (auth.record_token_use)."""
    if credentials is None:
        if request.headers.get("authorization"):
            raise unauthorized("use Authorization: Bearer <token>", "invalid_request")
        return None
    plain = credentials.credentials.strip()
    found = auth.user_for_token(session, plain) if plain.isascii() and len(plain) <= 200 else None
    if found is None:
        raise unauthorized("the token is unknown, expired or revoked", "invalid_token")
    principal = Principal(*found)
    if auth.token_use_is_stale(principal.token):
        after_response.add_task(auth.record_token_use, request.app.state.engine, principal.token.id)
    if auth.role_at_least(principal.user.role, Role.analyst):
        visibility.restrict(session, False)
    return principal


CallerDep = Annotated[Principal | None, Depends(caller)]


def reader(principal: CallerDep, settings: SettingsDep) -> Principal | None:
    """Anyone when reads are public; otherwise a valid token of any scope."""
    if principal is None and not settings.public_reads:
        raise unauthorized("reads need a token (public reads are off)")
    return principal


def writer(principal: CallerDep) -> Principal:
    """A write-scoped token of an analyst or admin."""
    if principal is None:
        raise unauthorized("writes need a write token: Authorization: Bearer <token>")
    if principal.token.scope != TokenScope.write:
        raise forbidden("this token is read-only; writes need a write-scoped token")
    if not auth.role_at_least(principal.user.role, Role.analyst):
        raise forbidden(f"a {principal.user.role} cannot write; an analyst or admin can")
    return principal


def admin(principal: Annotated[Principal, Depends(writer)]) -> Principal:
    """A write token of an admin."""
    if not principal.is_admin:
        raise forbidden("only an admin can do this")
    return principal


def editor(principal: Annotated[Principal, Depends(writer)]) -> Principal:
    """A write token of an editor or admin."""
    if not auth.role_at_least(principal.user.role, Role.editor):
        raise forbidden("only an editor or admin can do this")
    return principal


ReaderDep = Annotated[Principal | None, Depends(reader)]
EditorDep = Annotated[Principal, Depends(editor)]
WriterDep = Annotated[Principal, Depends(writer)]
AdminDep = Annotated[Principal, Depends(admin)]


def allow_deleted(principal: Principal | None, include_deleted: bool) -> bool:
    """Whether deleted rows may be shown: only to an admin who asks."""
    if not include_deleted:
        return False
    if principal is None:
        raise unauthorized("include_deleted needs an admin's token")
    if not principal.is_admin:
        raise forbidden("only an admin can see deleted rows")
    return True


def etag(version: int) -> str:
    """The ETag of a row at a version: a strong validator, the version in quotes, e.g. "3"."""
    return f'"{version}"'


def parse_etags(header: str) -> list[int]:
    """The versions an If-Match or If-None-Match header names ("3", W/"3" and 3 are all read as 3)."""
    versions = []
    for part in header.split(",")[:20]:
        tag = part.strip().removeprefix("W/").strip().strip('"')
        if tag.isdigit() and len(tag) < 12:
            versions.append(int(tag))
    return versions


def expected_version(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            max_length=500,
            description='Required on PUT, PATCH and DELETE: the ETag (version) you read, e.g. "3".',
        ),
    ] = None,
) -> list[int]:
    """The versions the client holds; 428 without If-Match. An unreadable tag matches nothing (412 later)."""
    if if_match is None or not if_match.strip():
        raise HTTPException(428, 'this write needs If-Match: "<version>" (the ETag you read)')
    if if_match.strip() == "*":
        raise HTTPException(428, 'If-Match: * is not accepted; send the version you read, e.g. If-Match: "3"')
    return parse_etags(if_match) or [0]


IfMatchDep = Annotated[list[int], Depends(expected_version)]


def pick_version(held: list[int], current: int) -> int:
    """The expected version to hand to the service: the current one if the client holds it."""
    return current if current in held else held[0]
