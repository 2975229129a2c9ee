"""The `ceiling` command: the root imports each group and adds its commands (the groups never import the root).

Each command is a thin adapter over the service functions of its concern; docs/architecture.md has the map.
"""

from __future__ import annotations

import typer

from app.cli import assess, evidence, report, scheduler, seed, serve, users, webhooks
from app.cli.db import db_cli

cli = typer.Typer(help="Ceiling: evidence database and tractability-ceiling assessment.", no_args_is_help=True)
cli.command("seed")(seed.seed)
cli.command("serve")(serve.serve)
cli.command("import")(evidence.import_command)
cli.command("export")(evidence.export_command)
cli.command("assess")(assess.assess_command)
cli.command("calibrate")(assess.calibrate_command)
cli.command("worker")(assess.worker_command)
cli.command("scheduler")(scheduler.scheduler_command)
cli.add_typer(db_cli, name="db")
cli.add_typer(users.users_cli, name="users")
cli.add_typer(users.tokens_cli, name="tokens")
cli.add_typer(evidence.grade_override_cli, name="confidence")
cli.add_typer(report.report_cli, name="report")
cli.add_typer(webhooks.webhooks_cli, name="webhooks")


def main() -> None:
    serve.configure_logs()
    cli()


if __name__ == "__main__":
    main()
