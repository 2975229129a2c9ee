"""The seed dataset: coverage of the report, idempotent loads, and all-or-nothing rejection of bad files."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml
from sqlmodel import Session, func, select

from app.config import PROJECT_ROOT
from app.evidence.models import Claim, Critique, Result, Revision, Source
from app.evidence.seed import SeedError, load_seed, read_entries
from tests.conftest import SEED_DIR

REPORT = PROJECT_ROOT / "data" / "reference" / "source-report.txt"


def _count(session: Session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_seed_meets_the_coverage_floor(session):
    assert _count(session, Claim) >= 40
    assert _count(session, Critique) >= 6
    sized = session.exec(select(func.count()).select_from(Result).where(Result.params_low.is_not(None))).one()
    assert sized >= 25


def test_every_seed_result_is_coded_for_engine_v3(session):
    """Each result says how it was judged; `none` is a measured null, so only results that measured safety carry it;
    the reach-only results are not_assessed; every simple baseline is named and is a baseline method."""
    from app.evidence.models import ClaimAspect, Method

    results = session.exec(select(Result)).all()
    assert results and all(r.evaluation_standard is not None for r in results)
    safety_claims = set(session.exec(select(ClaimAspect.claim_id).where(ClaimAspect.aspect_key == "safety")))
    measured_null = [r for r in results if r.safety_impact == "none"]
    assert measured_null and all(r.claim_id in safety_claims for r in measured_null)
    assert {r.key for r in results if r.outcome == "not_assessed"} == {
        "templeton2024.authors-limits.r1",
        "anthropic2026.opus46-interp-audit.r1",
    }
    families = dict(session.exec(select(Method.key, Method.family)).all())
    simple = [r for r in results if r.evaluation_standard == "simple_baseline"]
    assert simple and all(families[r.baseline_method_key] == "baseline" for r in simple)
    sized = {r.key: r.sample_size for r in results if r.sample_size is not None}
    assert sized["gupta2024.interpbench-ground-truth.r1"] == 86 and sized["li2024.rmu-unlearning.r1"] == 3668


def test_the_proxy_metrics_finding_bears_on_evaluation_not_on_features(session):
    claim = session.exec(select(Claim).where(Claim.key == "karvonen2025.proxy-metrics-dont-predict")).one()
    from app.evidence.services.claims import aspect_keys

    assert aspect_keys(session, claim.id) == ["evaluation"]


def _report_labels() -> set[str]:
    text = REPORT.read_text()
    labels = set(re.findall(r"\[(\d+)\]", text))
    return {f"[{n}]" for n in labels} | set(re.findall(r"web:\d+", text))


def test_every_label_the_report_cites_belongs_to_a_seed_source():
    seed_labels = " ".join(
        " ".join(entry.data.report_labels) for entry in read_entries(SEED_DIR) if entry.kind == "sources"
    )
    expected = _report_labels() | {"web:127", "web:128", "web:129"}
    assert len(expected) >= 20
    missing = sorted(label for label in expected if label not in seed_labels)
    assert missing == []


def test_the_report_itself_is_a_source_with_its_own_conclusions(session):
    report = session.exec(select(Source).where(Source.key == "source_report")).one()
    assert report.kind == "survey"
    assert _count_where(session, Claim, Claim.source_id == report.id) >= 3


def _count_where(session, model, condition) -> int:
    return session.exec(select(func.count()).select_from(model).where(condition)).one()


def _dump(url: str) -> str:
    path = url.removeprefix("sqlite:///")
    return "\n".join(sqlite3.connect(path).iterdump())


def test_second_load_changes_nothing(sqlite_seeded_url, engine_for):
    before = _dump(sqlite_seeded_url)
    with Session(engine_for(sqlite_seeded_url)) as session:
        report = load_seed(session, SEED_DIR)
        session.commit()
    assert not report.changed
    assert _dump(sqlite_seeded_url) == before


def _copy_seed(tmp_path: Path) -> Path:
    target = tmp_path / "seed"
    shutil.copytree(SEED_DIR, target)
    return target


def _edit(folder: Path, file_name: str, change) -> None:
    path = folder / file_name
    document = yaml.safe_load(path.read_text())
    change(document)
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))


def test_an_edited_entry_is_updated_in_place_with_its_history(seeded_url, engine_for, tmp_path):
    folder = _copy_seed(tmp_path)
    first_key = {}

    def lower_confidence(document):
        claim = document["claims"][0]
        first_key["key"] = claim["key"]
        claim["confidence"] = 0.11

    _edit(folder, "claims.yaml", lower_confidence)
    engine = engine_for(seeded_url)
    with Session(engine) as session:
        claims_before = _count(session, Claim)
        report = load_seed(session, folder)
        session.commit()
        claim = session.exec(select(Claim).where(Claim.key == first_key["key"])).one()
        assert claim.confidence == pytest.approx(0.11)
        assert claim.version == 2
        assert _count(session, Claim) == claims_before
        assert report.counts["claims"]["updated"] == 1
        revision = session.exec(
            select(Revision).where(
                Revision.entity_id == claim.id, Revision.entity_kind == "claim", Revision.action == "update"
            )
        ).one()
        assert list(revision.changes) == ["confidence"]


def _first_result(document):
    return next(c for c in document["claims"] if c.get("results"))["results"][0]


BAD_EDITS = {
    "unknown enumeration value": ("claims.yaml", lambda d: d["claims"][0].update(stance="enthusiastic"), "stance"),
    "negative parameter count": (
        "claims.yaml",
        lambda d: _first_result(d).update(params_basis="disclosed", params=-7e9, params_low=None, params_high=None),
        "params",
    ),
    "claim pointing at a missing source": (
        "claims.yaml",
        lambda d: d["claims"][0].update(source="no_such_source_2099"),
        "no_such_source_2099",
    ),
    "duplicate DOI": (
        "sources.yaml",
        lambda d: [s.update(doi="10.1234/same.doi") for s in d["sources"][:2]],
        "duplicate doi",
    ),
}


@pytest.mark.parametrize("problem", list(BAD_EDITS))
def test_bad_seed_entry_names_file_line_and_entry_and_writes_nothing(problem, sqlite_seeded_url, engine_for, tmp_path):
    file_name, edit, expected_words = BAD_EDITS[problem]
    folder = _copy_seed(tmp_path)
    _edit(folder, file_name, edit)
    before = _dump(sqlite_seeded_url)
    with Session(engine_for(sqlite_seeded_url)) as session, pytest.raises(SeedError) as raised:
        load_seed(session, folder)
    message = str(raised.value)
    assert re.search(rf"{re.escape(str(folder / file_name))}:\d+: ", message)
    assert expected_words in message
    assert _dump(sqlite_seeded_url) == before


def test_bad_seed_into_an_empty_database_leaves_it_empty(empty_url, engine_for, tmp_path):
    folder = _copy_seed(tmp_path)
    _edit(folder, "critiques.yaml", lambda d: d["critiques"][-1].update(severity=3))
    with Session(engine_for(empty_url)) as session:
        with pytest.raises(SeedError, match="severity"):
            load_seed(session, folder)
        session.rollback()
        assert _count(session, Source) == 0


PARTIAL_CLAIMS = """claims:
- key: partial.new-claim
  source: wang2022_ioi
  text: A claim added from a folder that holds only claims.yaml.
  aspects: [circuits]
  questions: [q2]
  method: circuits
  stance: supports
  kind: finding
  confidence: 0.7
  results:
  - key: partial.new-claim.r1
    model_name: Frontier model X
    params_basis: undisclosed
    params_low: 1.0e11
    params_estimate_kind: frontier_class
    params_note: Analyst's bound, frontier class at release.
    method: activation_patching
    baseline_method: linear_probe
    winner: method
    outcome: partial
    reach_outcome: success
"""


def test_a_partial_folder_resolves_its_keys_against_the_store(sqlite_seeded_url, engine_for, tmp_path):
    (tmp_path / "claims.yaml").write_text(PARTIAL_CLAIMS, encoding="utf-8")
    with Session(engine_for(sqlite_seeded_url)) as session:
        sources_before = _count(session, Source)
        report = load_seed(session, tmp_path)
        session.commit()
        assert report.counts["claims"]["created"] == 1 and _count(session, Source) == sources_before
        claim = session.exec(select(Claim).where(Claim.key == "partial.new-claim")).one()
        result = session.exec(select(Result).where(Result.claim_id == claim.id)).one()
        assert (result.params_low, result.params_high, result.winner) == (1e11, None, "method")
        assert result.baseline_method_key == "linear_probe" and result.reach_outcome == "success"


def test_a_partial_folder_names_an_unknown_key_with_file_and_line(sqlite_seeded_url, engine_for, tmp_path):
    (tmp_path / "claims.yaml").write_text(PARTIAL_CLAIMS.replace("method: circuits", "method: telepathy"), "utf-8")
    before = _dump(sqlite_seeded_url)
    with Session(engine_for(sqlite_seeded_url)) as session, pytest.raises(SeedError) as raised:
        load_seed(session, tmp_path)
    assert f"{tmp_path / 'claims.yaml'}:2: claim 'partial.new-claim': method: no method with key 'telepathy'" in str(
        raised.value
    )
    assert _dump(sqlite_seeded_url) == before


def test_a_folder_without_seed_files_is_refused(empty_url, engine_for, tmp_path):
    with Session(engine_for(empty_url)) as session, pytest.raises(SeedError, match="no seed file in the folder"):
        load_seed(session, tmp_path)
