"""`ceiling export --all` / `ceiling import --all`: every table the analysts own, losslessly, across engines."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from app.auth import service as users
from app.auth.models import Role
from app.db.backup import BACKED_UP, NOT_BACKED_UP, BackupError, export_all, restore_all
from app.db.tables import metadata
from app.evidence.enums import Grade
from app.evidence.history import Actor
from app.evidence.models import Claim, Source
from app.evidence.schemas.sources import SourceIn
from app.evidence.services import claims, overrides, sources


def test_every_table_is_backed_up_or_says_why_not():
    listed = set(BACKED_UP) | set(NOT_BACKED_UP)
    unlisted = sorted(set(metadata.tables) - listed)
    assert unlisted == [], "add the table to BACKED_UP or NOT_BACKED_UP in app/db/backup.py"
    assert sorted(listed - set(metadata.tables)) == []
    assert not set(BACKED_UP) & set(NOT_BACKED_UP)


def test_backed_up_tables_come_after_the_tables_they_refer_to():
    position = {name: i for i, name in enumerate(BACKED_UP)}
    for name in BACKED_UP:
        for key in metadata.tables[name].foreign_keys:
            assert position[key.column.table.name] < position[name], (name, key.column.table.name)


def _add_analyst_work(url: str, engine_for) -> None:
    """History, a soft-deleted row, an override and a user: what a restore must not lose."""
    with Session(engine_for(url)) as session:
        user = users.create_user(session, "ada", "correct horse battery", Role.analyst)
        session.flush()
        actor = Actor("ada", user.id)
        claim = session.exec(select(Claim).order_by(Claim.id)).first()
        claims.delete(session, claim, actor)
        source = session.exec(select(Source).where(Source.key == "wang2022_ioi")).one()
        values = {n: getattr(source, n) for n in SourceIn.model_fields}
        data = SourceIn.model_validate({**values, "notes": "édité ✓", "extra": {"bibtex": {"pages": "1--9"}}})
        sources.update(session, source, data, actor)
        overrides.set_override(session, "circuits", Grade.low, "Only one lab's frontier evidence so far.", actor)
        session.commit()


@pytest.mark.postgres
def test_sqlite_to_postgres_to_sqlite_gives_byte_identical_backups(databases, engine_for, tmp_path):
    first = databases.fresh("sqlite", seeded=True)
    _add_analyst_work(first, engine_for)
    export_all(engine_for(first), tmp_path / "a")
    postgres = databases.fresh("postgres", seeded=False)
    restore_all(engine_for(postgres), tmp_path / "a")
    export_all(engine_for(postgres), tmp_path / "b")
    last = databases.fresh("sqlite", seeded=False)
    restore_all(engine_for(last), tmp_path / "b")
    export_all(engine_for(last), tmp_path / "c")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(["manifest.json", *(f"{t}.jsonl" for t in BACKED_UP)])
    for name in names:
        original = (tmp_path / "a" / name).read_bytes()
        assert original == (tmp_path / "b" / name).read_bytes() == (tmp_path / "c" / name).read_bytes(), name
    revisions = [json.loads(line) for line in (tmp_path / "c" / "revision.jsonl").read_text().splitlines()]
    assert any(r["action"] == "delete" for r in revisions) and any(r["changes"].get("notes") for r in revisions)
    with Session(engine_for(postgres)) as session:  # the restored database takes new rows (sequences moved on)
        users.create_user(session, "bob", "correct horse battery", Role.viewer)
        session.commit()
        # and the planner knows its tables' sizes at once (never analysed: reltuples is -1)
        planned = session.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'claim'")).scalar()
        assert planned == session.execute(text("SELECT count(*) FROM claim")).scalar()


def test_restore_refuses_a_database_that_is_not_empty_or_a_folder_that_is_not_a_backup(databases, engine_for, tmp_path):
    seeded = databases.fresh("sqlite", seeded=True)
    export_all(engine_for(seeded), tmp_path / "backup")
    with pytest.raises(BackupError, match="not empty"):
        restore_all(engine_for(seeded), tmp_path / "backup")
    empty = databases.fresh("sqlite", seeded=False)
    with pytest.raises(BackupError, match="not a Ceiling backup"):
        restore_all(engine_for(empty), tmp_path)
    lines = (tmp_path / "backup" / "source.jsonl").read_text().splitlines()
    (tmp_path / "backup" / "source.jsonl").write_text("\n".join([lines[0], '{"id": 1, "colour": "red"}']) + "\n")
    with pytest.raises(BackupError, match=r"source.jsonl:2: unknown column\(s\) colour"):
        restore_all(engine_for(empty), tmp_path / "backup")
    with Session(engine_for(empty)) as session:
        assert session.exec(select(Source)).first() is None
