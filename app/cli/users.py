"""`ceiling users ...` and `ceiling tokens ...`."""

from __future__ import annotations

import datetime as dt

import typer

from app.auth.roles import Role
from app.cli.common import engine, fail

SCOPES = ("read", "write")  # TokenScope, without importing the tables

users_cli = typer.Typer(help="Users and roles.", no_args_is_help=True)
tokens_cli = typer.Typer(help="API tokens (stored hashed, shown once).", no_args_is_help=True)


@users_cli.command("create")
def users_create(
    username: str,
    role: Role = typer.Option(Role.analyst, help="viewer, analyst, editor or admin."),
    password: str = typer.Option(
        ..., prompt=True, hide_input=True, confirmation_prompt=True, help="At least 10 characters."
    ),
    display_name: str = typer.Option(None, help="Name shown in the history."),
) -> None:
    """Create a user."""
    from app.auth import service
    from app.db.session import session_scope
    from app.evidence.errors import EvidenceError

    try:
        with session_scope(engine()) as session:
            user = service.create_user(session, username, password, role, display_name)
            typer.echo(f"created {user.role} {user.username!r} (id {user.id})")
    except EvidenceError as error:
        fail(error.message)


@users_cli.command("list")
def users_list() -> None:
    """List users and their roles."""
    from sqlmodel import select

    from app.auth.models import User
    from app.db.session import session_scope

    with session_scope(engine()) as session:
        for user in session.exec(select(User).order_by(User.id)):
            state = "" if user.is_active else " (inactive)"
            typer.echo(f"{user.id}\t{user.username}\t{user.role}{state}")


@users_cli.command("bootstrap")
def users_bootstrap() -> None:
    """On a database without users, create `admin` with a random password and print it once."""
    from app.auth import service
    from app.db.session import session_scope

    with session_scope(engine()) as session:
        created = service.bootstrap_admin(session)
        username = created[0].username if created else None
    if created is None:
        typer.echo("users exist: no admin created")
        return
    password = created[1]
    typer.secho(
        f"\n  First sign-in: user {username!r}, password {password}\n"
        "  This password is shown only now; change it on the admin page.\n",
        fg=typer.colors.YELLOW,
    )


@tokens_cli.command("create")
def tokens_create(
    username: str,
    name: str = typer.Option("cli", help="What the token is for."),
    scope: str = typer.Option("read", help="read or write."),
    expires_days: int = typer.Option(None, min=1, help="Days until the token expires (default: never)."),
) -> None:
    """Create an API token for a user and print it once."""
    from app.auth import service
    from app.auth.models import TokenScope
    from app.db.session import session_scope
    from app.evidence.errors import EvidenceError

    if scope not in SCOPES:
        fail(f"--scope {scope!r}: choose read or write", code=2)
    expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(days=expires_days) if expires_days else None
    try:
        with session_scope(engine()) as session:
            user = service.get_user(session, username)
            if user is None:
                fail(f"no user {username!r}")
            token, plain = service.create_token(session, user, name, TokenScope(scope), expires_at)
            token_id = token.id
    except EvidenceError as error:
        fail(error.message)
    typer.echo(f"token {token_id} ({scope}) for {username}; shown only now:\n{plain}")


@tokens_cli.command("revoke")
def tokens_revoke(token_id: int) -> None:
    """Revoke a token by its id."""
    from app.auth import service
    from app.db.session import session_scope
    from app.evidence.errors import EvidenceError

    try:
        with session_scope(engine()) as session:
            service.revoke_token(session, token_id)
    except EvidenceError as error:
        fail(error.message)
    typer.echo(f"token {token_id} revoked")


@tokens_cli.command("list")
def tokens_list(username: str = typer.Option(None, help="Only this user's tokens.")) -> None:
    """List tokens (never their secret)."""
    from app.auth import service
    from app.db.session import session_scope

    with session_scope(engine()) as session:
        user = service.get_user(session, username) if username else None
        if username and user is None:
            fail(f"no user {username!r}")
        for token in service.tokens_of(session, user.id if user else None):
            state = (
                "revoked"
                if token.revoked_at
                else f"expires {token.expires_at:%Y-%m-%d}"
                if token.expires_at
                else "active"
            )
            typer.echo(f"{token.id}\t{token.prefix}…\t{token.scope}\t{token.name}\t{state}")
