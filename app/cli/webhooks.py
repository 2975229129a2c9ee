"""`ceiling webhooks ...`: register receivers, read the delivery log, run the delivery worker."""

from __future__ import annotations

import time

import typer

from app.cli.common import engine, fail, read_session

EVENTS = ("report_published", "ceiling_moved", "status_changed", "grade_changed")  # WebhookEvent, without importing it
webhooks_cli = typer.Typer(help="Webhook receivers, deliveries and the delivery worker.", no_args_is_help=True)


@webhooks_cli.command("add")
def add_command(
    url: str,
    event: list[str] = typer.Option(..., "--event", help=f"An event to send: {', '.join(EVENTS)} (repeatable)."),
    threshold: float = typer.Option(0.5, help="ceiling_moved: the least shift in orders of magnitude that counts."),
    description: str = typer.Option("", help="Who receives it."),
    by: str = typer.Option("cli", "--by", help="Who registers it (recorded)."),
) -> None:
    """Register a receiver; prints its signing secret once."""
    from app.config import get_settings
    from app.db.session import session_scope
    from app.evidence.errors import EvidenceError
    from app.webhooks import service

    unknown = [e for e in event if e not in EVENTS]
    if unknown:
        fail(f"--event {unknown[0]!r}: choose among {', '.join(EVENTS)}", code=2)
    try:
        with session_scope(engine()) as session:
            row, secret = service.create(
                session,
                url,
                list(event),
                by,
                threshold,
                description,
                allow_loopback=get_settings().webhook_allow_loopback,
            )
            row_id = row.id
    except EvidenceError as error:
        fail(f"{error.field}: {error.message}" if error.field else error.message)
    typer.echo(f"webhook {row_id} registered; its signing secret (shown once): {secret}")


@webhooks_cli.command("list")
def list_command() -> None:
    """List receivers (never their secrets)."""
    from rich.console import Console
    from rich.table import Table

    from app.webhooks import service

    with read_session() as session:
        rows = service.get_all(session)
    table = Table("id", "url", "events", "threshold", "state")
    for r in rows:
        table.add_row(
            str(r.id), r.url, ", ".join(r.events), f"{r.threshold_decades:g}", "active" if r.active else "paused"
        )
    Console().print(table)


@webhooks_cli.command("remove")
def remove_command(subscription_id: int) -> None:
    """Remove a receiver with its deliveries."""
    from app.db.session import session_scope
    from app.evidence.errors import EvidenceError
    from app.webhooks import service

    try:
        with session_scope(engine()) as session:
            service.delete(session, subscription_id)
    except EvidenceError as error:
        fail(error.message)
    typer.echo(f"webhook {subscription_id} removed")


@webhooks_cli.command("deliveries")
def deliveries_command(limit: int = typer.Option(50, help="At most this many, newest first.")) -> None:
    """The delivery log: state, attempts and the last status code."""
    from rich.console import Console
    from rich.table import Table

    from app.webhooks import service

    with read_session() as session:
        rows = service.deliveries(session, limit)
    table = Table("id", "to", "event", "state", "attempts", "last status")
    for r in rows:
        last = str(r.last_status_code or r.last_error or "")
        table.add_row(str(r.id), str(r.subscription_id), r.event_id, r.state, str(r.attempts), last)
    Console().print(table)


@webhooks_cli.command("worker")
def worker_command(once: bool = typer.Option(False, "--once", help="Send what is due now, then stop.")) -> None:
    """Send due deliveries every CEILING_WEBHOOK_POLL_S (`ceiling scheduler` and the in-app schedule do it too)."""
    from app.config import get_settings
    from app.webhooks.worker import deliver_due

    settings = get_settings()
    while True:
        sent = deliver_due(settings)
        if once:
            typer.echo(f"{sent} deliveries attempted")
            return
        time.sleep(settings.webhook_poll_s)
