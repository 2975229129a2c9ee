"""Commands of the evidence store: `ceiling import` and `ceiling export` (references, bulk evidence, list exports,
the backup) and `ceiling confidence set|clear|list` (analysts' overrides of the suggested grades)."""

from __future__ import annotations

from pathlib import Path

import typer

from app.auth.roles import Role
from app.cli.common import engine, fail
from app.evidence.enums import Grade
from app.evidence.interchange.reading import FORMATS

# The choices of the options, as the interchange modules define them (a test checks), named here so that
# `ceiling --help` imports none of the store.
CHOICES = ("skip", "merge", "new")
FIELD_CHOICES = ("stored", "file")
EXPORT_FORMATS = ("bibtex", "ris", "csljson", "csv")
LISTS = ("sources", "claims", "results")
SHOWN_ROWS = 200


def import_command(
    file: Path = typer.Argument(None, help="A .bib, .ris, .json (CSL-JSON), .csv or .yaml file.", exists=True),
    all_dir: Path = typer.Option(None, "--all", help="Restore a whole backup folder into an empty database."),
    format: str = typer.Option(None, help=f"One of {', '.join(FORMATS)} (default: from the extension)."),
    commit: bool = typer.Option(False, "--commit", help="Write it (without: a dry run that writes nothing)."),
    on_duplicate: str = typer.Option("skip", help="What to do with possible duplicates: skip, merge or new."),
    choose: list[str] = typer.Option([], help="A choice for one duplicate, KEY=skip|merge|new (repeatable)."),
    actor: str = typer.Option("import", help="Who imports (recorded in each row's history)."),
    lookup: bool = typer.Option(False, "--lookup", help="Fill missing titles, authors, year, venue from DOI/arXiv."),
    strict: bool = typer.Option(False, "--strict", help="All or nothing: any entry that would be skipped refuses it."),
    report: Path = typer.Option(None, "--report", help="Write the per-entry report to this .csv or .json file."),
) -> None:
    """Import references or bulk evidence (a dry run unless --commit), or restore a backup with --all DIR."""
    from rich.console import Console
    from rich.progress import Progress

    from app.config import get_settings
    from app.db.session import session_scope
    from app.evidence.history import Actor
    from app.evidence.interchange.preview import run_import

    if all_dir is not None:
        return _restore(all_dir)
    if file is None:
        fail("name a FILE to import, or --all DIR to restore a backup")
    if on_duplicate not in CHOICES or (format and format not in FORMATS):
        fail(f"--on-duplicate takes {', '.join(CHOICES)}; --format takes {', '.join(FORMATS)}")
    if report is not None and report.suffix.lower() not in {".csv", ".json"}:
        fail(f"--report {report}: name a .csv or .json file")
    choices = {}
    for item in choose:
        key, _, choice = item.partition("=")
        if choice not in (*CHOICES, *FIELD_CHOICES):  # keys may hold dots: the value tells which it is
            fail(f"--choose {item!r}: expected KEY=skip|merge|new, or KEY.FIELD=file|stored")
        choices[key] = choice
    console = Console(stderr=True)
    with session_scope(engine()) as session, Progress(console=console, transient=True) as bar:
        task = bar.add_task(f"reading {file.name}", total=None)
        preview = run_import(
            session,
            file.read_bytes(),
            str(file),
            Actor(actor, role=Role.admin),  # the operator at the shell holds the database itself
            format=format,
            choices=choices,
            default_choice=on_duplicate,
            commit=commit,
            strict=strict,
            max_bytes=get_settings().import_max_bytes,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            complete=_completer() if lookup else None,
        )
    _show(preview)
    if report is not None:
        from app.evidence.interchange.outcomes import report as report_text

        report.write_text(report_text(preview, report.suffix.lower().lstrip(".")), encoding="utf-8")
        typer.echo(f"wrote the report to {report}", err=True)
    for note in preview.notes:
        typer.echo(f"note: {note}", err=True)
    if not preview.ok:
        fail(f"{len(preview.problems)} problem(s): nothing written\n" + "\n".join(preview.problems))
    counts = ", ".join(f"{n} {action}" for action, n in sorted(preview.actions.items())) or "nothing in the file"
    if preview.committed:
        typer.echo(f"imported {file.name}: {counts}")
    else:
        typer.echo(f"dry run of {file.name}: {counts}; nothing written (add --commit to write it)")


def _completer():
    from app.config import get_settings
    from app.evidence.interchange.lookup import completer

    settings = get_settings()
    if not settings.metadata_lookup:
        typer.echo("note: metadata lookup is off (CEILING_METADATA_LOOKUP=false); importing without it", err=True)
        return None
    return completer(timeout_s=settings.metadata_timeout_s)


def _show(preview) -> None:
    from rich.console import Console
    from rich.table import Table

    from app.evidence.interchange.outcomes import report_rows

    rows = [r for r in report_rows(preview) if r["action"] != "unchanged" or r["duplicate_of"]]
    if not rows:
        return
    table = Table("entry", "action", "why / what", title=f"{preview.file} ({preview.format})")
    for row in rows[:SHOWN_ROWS]:
        like = row["duplicate_of"] and f"like {row['duplicate_of']}"
        what = [
            row["reason"],
            row["title"] and f"“{row['title']}”",
            like,
            row["changed"],
            row["conflicts"],
            row["notes"],
        ]
        table.add_row(
            f"{row['kind']} {row['key']}\n{row['where']}", row["action"], "; ".join(w for w in what if w)[:400]
        )
    Console(width=160).print(table)
    if len(rows) > SHOWN_ROWS:
        typer.echo(f"... and {len(rows) - SHOWN_ROWS} more (--report FILE has them all)")


def _restore(folder: Path) -> None:
    from app.db.backup import BackupError, restore_all

    try:
        counts = restore_all(engine(), folder)
    except BackupError as error:
        fail(f"{error}; nothing written")
    typer.echo(f"restored {sum(counts.values())} rows in {len(counts)} tables from {folder}")


def export_command(
    list_name: str = typer.Argument(None, metavar="LIST", help="sources, claims or results."),
    all_dir: Path = typer.Option(None, "--all", help="Back up every table into this folder instead."),
    format: str = typer.Option("bibtex", help=f"One of {', '.join(EXPORT_FORMATS)}."),
    out: Path = typer.Option(None, "--out", help="File to write (default: standard output)."),
    filters: list[str] = typer.Option([], "--filter", help="A list filter as in the API, NAME=VALUE (repeatable)."),
) -> None:
    """Export a list's selection as BibTeX, RIS, CSL-JSON or CSV, or back up everything with --all DIR."""
    from app.db.session import session_scope
    from app.evidence.interchange.exports import export_list

    if all_dir is not None:
        from app.db.backup import export_all

        counts = export_all(engine(), all_dir)
        typer.echo(f"backed up {sum(counts.values())} rows in {len(counts)} tables to {all_dir}")
        return
    if list_name not in LISTS or format not in EXPORT_FORMATS:
        fail(f"LIST is one of {', '.join(LISTS)}; --format one of {', '.join(EXPORT_FORMATS)}")
    chosen = _filters(list_name, filters)
    with session_scope(engine()) as session:
        exported = export_list(session, list_name, chosen, format)
    if out is None:
        typer.echo(exported.text, nl=False)
    else:
        out.write_text(exported.text, encoding="utf-8")
        typer.echo(f"wrote {out}", err=True)


def _filters(list_name: str, pairs: list[str]):
    from app.evidence.services import listing

    model = {"sources": listing.SourceFilters, "claims": listing.ClaimFilters, "results": listing.ResultFilters}[
        list_name
    ]
    values: dict[str, list[str] | str] = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        if name not in model.model_fields:
            fail(f"--filter {pair!r}: {list_name} have no filter {name!r}; see docs/api.md")
        values.setdefault(name, []).append(value)  # type: ignore[union-attr]
    data = {n: v if "list" in str(model.model_fields[n].annotation) else v[0] for n, v in values.items()}
    try:
        return model.model_validate(data)
    except ValueError as error:
        fail(f"--filter: {error}")


grade_override_cli = typer.Typer(help="Override the suggested confidence grade of an aspect.", no_args_is_help=True)


@grade_override_cli.command("set")
def set_command(
    aspect: str,
    grade: Grade,
    reason: str = typer.Option(..., "--reason", help="Why the engine's grade is wrong (shown beside it)."),
    author: str = typer.Option("cli", help="Who decides (recorded with the override)."),
) -> None:
    """Override an aspect's confidence grade with a written reason."""
    from app.db.session import session_scope
    from app.evidence.errors import EvidenceError
    from app.evidence.history import Actor
    from app.evidence.services import overrides

    try:
        with session_scope(engine()) as session:
            overrides.set_override(session, aspect, grade, reason, Actor(author))
    except EvidenceError as error:
        fail(f"{error.field}: {error.message}" if error.field else error.message)
    typer.echo(f"{aspect}: confidence set to {grade.value.replace('_', ' ')} (the engine's suggestion stays visible)")


@grade_override_cli.command("clear")
def clear_command(aspect: str) -> None:
    """Remove an aspect's override: the engine's grade applies again."""
    from app.db.session import session_scope
    from app.evidence.errors import EvidenceError
    from app.evidence.services import overrides

    try:
        with session_scope(engine()) as session:
            overrides.clear_override(session, aspect)
    except EvidenceError as error:
        fail(error.message)
    typer.echo(f"{aspect}: override removed")


@grade_override_cli.command("list")
def list_command() -> None:
    """List the overrides and their reasons."""
    from app.db.session import session_scope
    from app.evidence.services import overrides

    with session_scope(engine()) as session:
        rows = overrides.all_overrides(session)
        for row in rows:
            typer.echo(f"{row.aspect_key}\t{row.grade}\t{row.author or ''}\t{row.reason}")
        if not rows:
            typer.echo("no overrides: every aspect shows the engine's grade")
