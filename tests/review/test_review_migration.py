"""The review migration keeps every row and the full-text search, down and up again, on both backends;
and the seed enters the store reviewed, saying so."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text
from sqlmodel import Session, select

from app.db.migrate import alembic_config
from app.evidence.models import Claim
from app.evidence.seed import load_seed
from tests.conftest import SEED_DIR

COUNTS = ["claim", "claim_aspect", "claim_question", "result", "result_band", "critique", "revision"]


def _counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() for table in COUNTS}


def _search(engine) -> int:
    from app.evidence.schemas.claims import ClaimFilters
    from app.evidence.services.listing import list_claims

    with Session(engine) as session:
        return list_claims(session, ClaimFilters(q="circuit")).count


def test_down_and_up_again_keeps_every_row_and_the_search(seeded_url, engine_for):
    engine = engine_for(seeded_url)
    before, found = _counts(engine), _search(engine)
    assert before["claim_aspect"] > 0 and found > 0
    engine.dispose()
    command.downgrade(alembic_config(seeded_url), "i10a1b2c3d4e")
    assert _counts(engine) == before
    command.upgrade(alembic_config(seeded_url), "head")
    assert _counts(engine) == before and _search(engine) == found


def test_the_seed_loader_marks_its_claims_reviewed_and_says_so(empty_url, engine_for):
    with Session(engine_for(empty_url)) as session:
        report = load_seed(session, SEED_DIR)
        statuses = set(session.exec(select(Claim.status)))
    assert statuses == {"reviewed"}
    assert "claims are marked reviewed by the seed loader" in report.summary()
    assert f"({report.marked_reviewed} were draft in the files" in report.summary() and report.marked_reviewed > 0
