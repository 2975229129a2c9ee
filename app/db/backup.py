"""Lossless backup and restore of the whole store as diff-friendly text: `ceiling export --all DIR` /
`ceiling import --all DIR`. It spans every package's tables, so it sits beside app/db/tables.py.

DIR holds manifest.json (format, version, the tables in restore order with their columns and row
counts) and one `<table>.jsonl` per table: one JSON object per row, keys sorted, rows sorted by primary
key; datetimes as UTC ISO 8601, dates as ISO dates, JSON columns as JSON. The same store gives the
same bytes on SQLite and PostgreSQL, so a backup is also how a database moves between engines.
Restore needs an empty, migrated database and writes everything in one transaction.

BACKED_UP names every table restored, in an order where each comes after the tables it refers to;
NOT_BACKED_UP says why a table is left out. A table in neither fails tests/test_backup.py, so a new
table is one line here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Date, DateTime, Engine, Table, func, insert, select, text

from app.db.tables import metadata

FORMAT, VERSION = "ceiling-backup", 1
BACKED_UP: list[str] = [
    "app_user",  # revisions and tokens refer to users; password hashes only (keep a backup private)
    "api_token",  # token hashes only
    "aspect",
    "research_question",
    "scale_band",
    "method",
    "source",  # soft-deleted rows included, like every table with deleted_at
    "claim",
    "claim_aspect",
    "claim_question",
    "result",
    "result_band",
    "critique",
    "extraction_request",  # dual extractions asked for, and each analyst's submitted values
    "extraction",
    "grade_override",  # analysts' confidence overrides
    "grade_override_revision",  # their history, for as-of assessments
    "scoring_settings_record",  # the scoring settings in force over time, for as-of assessments
    "revision",  # the history of every evidence row
    "report_snapshot",  # published reports and candidates
    "report_file",  # their rendered forms, which every replica serves (the reports folder is only an export)
    "webhook_subscription",  # receivers and their signing secrets (keep a backup private)
]
NOT_BACKED_UP: dict[str, str] = {
    "webhook_delivery": "the outbox of deliveries: operational, and replaying it on another server would resend",
    "webhook_attempt": "the delivery log of that outbox",
    "user_session": "signed-in sessions: restoring them elsewhere would sign people in there; everyone signs in again",
    "assessment_cache": "computed assessments, keyed by input fingerprint: recomputed from the evidence",
    "assessment_version": "which data version each cached assessment belongs to: rebuilt with the cache",
    "login_failure": "the sign-in throttle's recent failures: transient, and meaningless on another server",
    "pending_import": "uploads waiting for their commit on the Import page: transient, expiring within a day",
}
BATCH = 1000


class BackupError(Exception):
    """The folder is not a backup, or the database is not empty; nothing was written."""


def _tables() -> list[Table]:
    missing = [name for name in BACKED_UP if name not in metadata.tables]
    if missing:
        raise BackupError(f"tables in BACKED_UP but not in the models: {', '.join(missing)}")
    return [metadata.tables[name] for name in BACKED_UP]


def _utc(value: dt.datetime) -> str:
    aware = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return aware.isoformat()


def _encoder(column) -> Callable[[Any], Any]:
    if isinstance(column.type, DateTime):
        return lambda v: None if v is None else _utc(v)
    if isinstance(column.type, Date):
        return lambda v: None if v is None else v.isoformat()[:10]
    return lambda v: v


def _decoder(column) -> Callable[[Any], Any]:
    if isinstance(column.type, DateTime):
        return lambda v: None if v is None else dt.datetime.fromisoformat(v)
    if isinstance(column.type, Date):
        return lambda v: None if v is None else dt.date.fromisoformat(v)
    return lambda v: v


def export_all(engine: Engine, folder: Path, progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Write every table of BACKED_UP to folder; returns rows per table."""
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    manifest = {"format": FORMAT, "version": VERSION, "tables": []}
    with engine.connect() as connection:
        for table in _tables():
            counts[table.name] = _export_table(connection, table, folder / f"{table.name}.jsonl")
            manifest["tables"].append(
                {"name": table.name, "rows": counts[table.name], "columns": [c.name for c in table.columns]}
            )
            if progress:
                progress(table.name, counts[table.name])
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return counts


def _export_table(connection: Connection, table: Table, path: Path) -> int:
    encoders = {c.name: _encoder(c) for c in table.columns}
    order = list(table.primary_key.columns) or list(table.columns)
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for row in connection.execute(select(table).order_by(*order)).mappings():
            values = {name: encoders[name](value) for name, value in row.items()}
            out.write(json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    return count


def restore_all(engine: Engine, folder: Path, progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Load a backup into an empty migrated database, all or nothing; returns rows per table."""
    manifest = _manifest(folder)
    tables = _tables()
    listed = {t["name"]: t for t in manifest["tables"]}
    counts: dict[str, int] = {}
    with engine.begin() as connection:
        filled = [t.name for t in tables if connection.execute(select(func.count()).select_from(t)).scalar()]
        if filled:
            raise BackupError(f"the database is not empty ({', '.join(filled)} hold rows); restore needs an empty one")
        for table in tables:
            if table.name not in listed:
                raise BackupError(f"{folder / 'manifest.json'}: table {table.name} is missing from the backup")
            counts[table.name] = _restore_table(connection, table, folder / f"{table.name}.jsonl")
            if progress:
                progress(table.name, counts[table.name])
        if connection.dialect.name == "postgresql":
            _advance_sequences(connection, tables)
            # the planner's statistics, which autovacuum would gather only later: without them, the first whole
            # read of a restored 1M-result store planned nested loops and took minutes instead of 3 s
            connection.execute(text("ANALYZE"))
    return counts


def _manifest(folder: Path) -> dict[str, Any]:
    path = folder / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{path}: missing: {folder} is not a Ceiling backup") from None
    except json.JSONDecodeError as error:
        raise BackupError(f"{path}:{error.lineno}: not valid JSON: {error.msg}") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"{path}: not a {FORMAT} version {VERSION} manifest")
    return manifest


def _restore_table(connection: Connection, table: Table, path: Path) -> int:
    decoders = {c.name: _decoder(c) for c in table.columns}
    batch: list[dict[str, Any]] = []
    count = 0
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            try:
                raw = json.loads(line)
                unknown = set(raw) - set(decoders)
                if unknown:
                    raise ValueError(f"unknown column(s) {', '.join(sorted(unknown))}")
                batch.append({name: decoders[name](value) for name, value in raw.items()})
            except ValueError as error:
                raise BackupError(f"{path}:{number}: {error}") from None
            if len(batch) >= BATCH:
                connection.execute(insert(table), batch)
                count += len(batch)
                batch = []
    if batch:
        connection.execute(insert(table), batch)
        count += len(batch)
    return count


def _advance_sequences(connection: Connection, tables: list[Table]) -> None:
    """PostgreSQL: move each id sequence past the restored ids, so the next insert does not collide."""
    for table in tables:
        if "id" in table.c and table.c.id.autoincrement and len(table.primary_key.columns) == 1:
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
            )


__all__ = ["BACKED_UP", "NOT_BACKED_UP", "BackupError", "export_all", "restore_all"]
