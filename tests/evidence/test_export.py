"""The columnar export, and the per-process export patched from the revision log: after any write through
the services (or a bulk load that bypasses them) it equals a full read of the store, on both backends."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

import app.assessment.live
from app.assessment.live import load_evidence
from app.evidence.export import arrow, live
from app.evidence.export.frames import evidence_frames
from app.evidence.export.queries import PATCHABLE
from app.evidence.history import Actor
from app.evidence.models import Claim, Result, Source
from app.evidence.publication import only_published
from app.evidence.schemas.claims import ClaimIn
from app.evidence.schemas.sources import SourceIn
from app.evidence.services import claims, results, sources
from app.scoring import Evidence
from app.scoring.delta import revised
from app.scoring.inputs import fingerprint
from tests.support.export import live_frames

ACTOR = Actor("test", role="admin")  # it restores too: an admin's step


def _same_as_a_full_read(engine) -> None:
    """The patched export, and the Evidence the process holds for each view, equal a full read."""
    with engine.connect() as connection:
        patched, full = live_frames(connection), evidence_frames(connection)
    assert {name: len(frame) for name, frame in patched.items()} == {name: len(f) for name, f in full.items()}
    assert fingerprint(Evidence(**patched), "") == fingerprint(Evidence(**full), "")
    with Session(engine) as session:
        for reviewed_only in (False, True):
            held = load_evidence(session, reviewed_only, committed=True)
            expected = Evidence(**(only_published(full) if reviewed_only else full))
            assert fingerprint(held, "") == fingerprint(expected, ""), f"reviewed only: {reviewed_only}"


@pytest.fixture
def revisions(monkeypatch):
    """How often the held Evidence was brought up to date from the export's patches (not rebuilt)."""
    calls = []

    def counted(evidence, changes):
        calls.append(sorted(changes))
        return revised(evidence, changes)

    monkeypatch.setattr(app.assessment.live, "revised", counted)
    return calls


def test_the_export_has_the_engines_columns_and_only_live_rows(session):
    frames = evidence_frames(session.connection())
    assert not any(column.startswith("_") for frame in frames.values() for column in frame.columns)
    stored = session.exec(select(Result).where(Result.deleted_at.is_(None))).all()
    assert len(frames["results"]) == len(stored)
    assert set(frames["results"]["higher_is_better"].dropna().map(type)) <= {bool}
    assert frames["results"]["params"].dtype.kind == "f"


@pytest.mark.parametrize("overlaid", [live.MAX_OVERLAID, 0], ids=["rows held apart", "put together at once"])
@pytest.mark.parametrize("reader", ["dbapi", "arrow"])
def test_the_patched_export_follows_every_kind_of_write(
    seeded_url, engine_for, revisions, caplog, overlaid, reader, monkeypatch
):
    """Read whole through the DBAPI driver (a small store) or through Arrow (a large one: its big frames' text
    stays Arrow strings, and the rows patched in come from the DBAPI driver)."""
    monkeypatch.setattr(live, "MAX_OVERLAID", overlaid)
    monkeypatch.setattr(arrow, "ARROW_MIN_RESULTS", 0 if reader == "arrow" else 10**9)
    engine = engine_for(seeded_url)
    _same_as_a_full_read(engine)  # first read: whole
    assert revisions == []
    with engine.connect() as connection:
        held_text = live.patched_export(connection).frames["results"]["key"].dtype
    assert isinstance(held_text, pd.ArrowDtype) == (reader == "arrow")
    with Session(engine) as session:
        claim = session.exec(select(Claim).where(Claim.deleted_at.is_(None)).order_by(Claim.id)).first()
        data = ClaimIn.model_validate(
            {**claims.input_values(session, claim), "status": "retracted", "aspects": ["safety"]}
        )
        claims.update(session, claim, data, ACTOR, with_results=False)
        claim_id = claim.id
        session.commit()
    _same_as_a_full_read(engine)
    assert len(revisions) == 2 and "claims" in revisions[0]  # both views brought up to date, not rebuilt
    with Session(engine) as session:  # a draft leaves the reviewed-only view with its results, and comes back
        for status in ("draft", "reviewed"):
            claim = session.get(Claim, claim_id)
            claims.update(
                session, claim, ClaimIn.model_validate({**claims.input_values(session, claim), "status": status}),
                ACTOR, with_results=False,
            )  # fmt: skip
            session.commit()
            _same_as_a_full_read(engine)
    with Session(engine) as session:
        result = session.exec(select(Result).where(Result.deleted_at.is_(None)).order_by(Result.id.desc())).first()
        results.delete(session, result, ACTOR)
        session.commit()
    _same_as_a_full_read(engine)
    with Session(engine) as session:
        claims.delete(session, session.get(Claim, claim_id), ACTOR)  # hides its results and aspects too
        session.commit()
    _same_as_a_full_read(engine)
    with Session(engine) as session:
        claims.restore(session, session.get(Claim, claim_id), ACTOR)
        session.commit()
    _same_as_a_full_read(engine)
    with Session(engine) as session:
        source = session.exec(select(Source).join(Claim).where(Source.deleted_at.is_(None))).first()
        renamed = {name: getattr(source, name) for name in SourceIn.model_fields} | {"key": f"{source.key}-renamed"}
        sources.update(session, source, SourceIn.model_validate(renamed), ACTOR)  # every claim's source_key moves
        session.commit()
    _same_as_a_full_read(engine)
    assert len(revisions) == 7 * 2 and "could not bring the evidence up to date" not in caplog.text


def test_a_bulk_load_that_bypasses_the_revision_log_is_still_seen(seeded_url, engine_for):
    engine = engine_for(seeded_url)
    _same_as_a_full_read(engine)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO result (key, claim_id, model_name, params_basis, params, outcome, safety_impact, "
                "created_at, updated_at, version) SELECT 'bulk-1', id, 'bulk', 'disclosed', 7e9, 'success', "
                "'not_applicable', created_at, updated_at, 1 FROM claim WHERE deleted_at IS NULL ORDER BY id LIMIT 1"
            )
        )
    _same_as_a_full_read(engine)


def test_a_read_started_early_is_brought_up_to_what_the_reader_sees(seeded_url, engine_for, monkeypatch):
    """The worker starts the whole read before it imports the engine (arrow.prefetch). A write committed after
    that read must not be missed: the export is patched up to what the first reader sees, else an assessment
    of older evidence would be stored under the newer data version."""
    engine = engine_for(seeded_url)
    early = arrow.whole_read(engine.url).result(arrow_text=PATCHABLE)
    monkeypatch.setattr(arrow, "take_prefetched", lambda url: SimpleNamespace(result=lambda arrow_text: early))
    with Session(engine) as session:
        claim = session.exec(select(Claim).where(Claim.deleted_at.is_(None)).order_by(Claim.id)).first()
        data = ClaimIn.model_validate({**claims.input_values(session, claim), "confidence": 0.07})
        claims.update(session, claim, data, ACTOR, with_results=False)
        session.commit()
        key = claim.key
    _same_as_a_full_read(engine)
    with engine.connect() as connection:
        held = live.patched_export(connection).frames["claims"]
    assert held.loc[held["key"] == key, "confidence"].tolist() == [0.07]


def test_a_read_started_early_is_taken_once(seeded_url):
    arrow.prefetch(seeded_url)
    url = make_url(seeded_url)
    pending = arrow.take_prefetched(url)
    assert pending is not None and arrow.take_prefetched(url) is None
    frames, (high, counts) = pending.result()
    assert len(frames["results"]) > 0 and counts[2] >= len(frames["results"])


def _to_draft(engine, *claim_keys: str) -> None:
    with Session(engine) as session:
        for key in claim_keys:
            claim = session.exec(select(Claim).where(Claim.key == key)).one()
            data = ClaimIn.model_validate({**claims.input_values(session, claim), "status": "draft"})
            claims.update(session, claim, data, ACTOR, with_results=False)
        session.commit()


def test_the_published_view_comes_from_the_first_stage_of_an_early_read(seeded_url, engine_for):
    """The early read hands over the published view's rows first (then reads the drafts'): the worker's first
    reviewed-only Evidence is built from them before the whole export exists, equals the view of a full read
    (a critique by a draft claim left out), and is brought up to date after writes like any other."""
    engine = engine_for(seeded_url)
    _to_draft(engine, "karvonen2025.matryoshka-advantage-grows", "lieberum2023.partial-under-randomisation")
    arrow.prefetch(seeded_url)
    with engine.connect() as connection:
        full = evidence_frames(connection)
    with Session(engine) as session:
        early = load_evidence(session, True, committed=True)
        assert str(engine.url) not in live._exports  # built before the whole export
        assert load_evidence(session, True, committed=True) is early  # warm, then compute_current: built once
    assert fingerprint(early, "") == fingerprint(Evidence(**only_published(full)), "")
    assert len(early.critiques) < len(full["critiques"])
    _same_as_a_full_read(engine)
    _to_draft(engine, "nanda2025.ambitious-mi-probably-dead")
    _same_as_a_full_read(engine)


def test_an_early_read_older_than_the_reader_gives_no_published_view(seeded_url, engine_for):
    engine = engine_for(seeded_url)
    arrow.prefetch(seeded_url)
    arrow.prefetched(make_url(seeded_url)).stage(0)  # the read has seen the store before the write below
    _to_draft(engine, "nanda2025.ambitious-mi-probably-dead")
    with engine.connect() as connection:
        assert live.early_published(connection) is None
    _same_as_a_full_read(engine)
