"""Bulk evidence from CSV and the seed's YAML format: the same schemas, the same preview and commit, clear errors."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from app.evidence.history import Actor
from app.evidence.interchange.exports import export_list
from app.evidence.interchange.preview import run_import
from app.evidence.models import Claim, Critique, Result, Source
from app.evidence.services import listing

FIXTURES = Path(__file__).parent / "fixtures" / "interchange"
ANALYST = Actor("analyst")


def load(session: Session, name: str, data: bytes | None = None, **options):
    return run_import(session, data or (FIXTURES / name).read_bytes(), name, ANALYST, **options)


def test_csv_rows_become_claims_with_their_results_and_every_parameter_form_is_read(sqlite_seeded_url, engine_for):
    with Session(engine_for(sqlite_seeded_url)) as session:
        preview = load(session, "evidence.csv", commit=True)
        assert preview.ok, preview.problems
        session.commit()
        assert preview.counts == {"new": 2}
        claim = session.exec(select(Claim).where(Claim.key == "bulk.sae-scales")).one()
        assert claim.quote == 'Features remain "interpretable", at scale'
        results = {r.key.rsplit(".", 1)[1]: r for r in session.exec(select(Result).where(Result.claim_id == claim.id))}
        assert (results["r1"].params_basis, results["r1"].params) == ("disclosed", 7e10)
        assert results["r2"].params == 1.3e9 and results["r1"].higher_is_better is True
        assert (results["r3"].params_basis, results["r3"].params_low, results["r3"].params_high) == (
            "undisclosed",
            2e9,
            2.8e10,
        )
        assert (results["r4"].params_basis, results["r4"].params) == ("undisclosed", None)
        assert (results["r5"].params_basis, results["r5"].params, results["r5"].params_low) == (
            "estimated",
            1.8e12,
            1e12,
        )
        critiques = load(session, "critiques.csv", commit=True)
        session.commit()
        assert critiques.counts == {"new": 1}
        assert session.exec(select(Critique).where(Critique.key == "bulk.crit-1")).one().severity == 0.5
    with Session(engine_for(sqlite_seeded_url)) as session:
        assert load(session, "evidence.csv").counts == {"unchanged": 2}


def test_a_csv_entry_in_error_is_skipped_alone_naming_line_and_column_and_strict_writes_nothing(
    sqlite_seeded_url, engine_for
):
    text = (FIXTURES / "evidence.csv").read_text()
    lines = text.splitlines()
    lines[3] = lines[3].replace(",2B-28B,", ",lots,")
    lines[6] = lines[6].replace(",undermines,", ",hates,")
    data = "\n".join(lines).encode()
    with Session(engine_for(sqlite_seeded_url)) as session:
        preview = load(session, "evidence.csv", data, commit=True, strict=True)
        session.commit()
        assert not preview.ok
        assert preview.problems[0].startswith("evidence.csv:2: claim 'bulk.sae-scales': line 4: params: ")
        assert "'lots' is not a parameter count" in preview.problems[0]
        assert preview.problems[1].startswith(
            "evidence.csv:7: claim 'bulk.position': stance: Choose one of: supports, undermines"
        )  # plain words
        assert session.exec(select(Claim).where(Claim.key.like("bulk.%"))).first() is None
    lines[6] = text.splitlines()[6]  # by default, the claim in error is skipped and the other one stored
    with Session(engine_for(sqlite_seeded_url)) as session:
        preview = load(session, "evidence.csv", "\n".join(lines).encode(), commit=True)
        session.commit()
        skipped = {r.key: r.reason for r in preview.rows if r.action == "skipped"}
        assert list(skipped) == ["bulk.sae-scales"] and skipped["bulk.sae-scales"].startswith("line 4: params: ")
        stored = [c.key for c in session.exec(select(Claim).where(Claim.key.like("bulk.%")))]
        assert stored == ["bulk.position"]  # and none of the skipped claim's five rows


def test_rows_of_one_claim_that_disagree_are_one_skipped_entry_and_unknown_columns_refuse_the_file():
    from app.evidence.interchange.bulk import parse

    lines = (FIXTURES / "evidence.csv").read_text().splitlines()
    lines[2] = lines[2].replace(",0.7,", ",0.9,")
    items, problems = parse("csv", "\n".join(lines), "e.csv")
    assert problems == []
    assert [item[2] for item in items if item[1] is None] == [
        {"kind": "claim", "key": "bulk.sae-scales", "reason": "line 3: confidence differ from line 2 (same claim)"}
    ]
    _, problems = parse("csv", "claim_key,colour\nx,red\n", "e.csv")
    assert problems == ["e.csv:1: unknown column(s) colour; see docs/import-export.md"]


def test_a_reference_to_a_missing_source_names_the_line_and_field(sqlite_seeded_url, engine_for):
    text = (FIXTURES / "evidence.csv").read_text().replace("wang2022_ioi", "no_such_source")
    with Session(engine_for(sqlite_seeded_url)) as session:
        preview = load(session, "evidence.csv", text.encode(), commit=True, strict=True)
    assert preview.problems == ["evidence.csv:7: claim 'bulk.position': source: no source with key 'no_such_source'"]
    with Session(engine_for(sqlite_seeded_url)) as session:
        preview = load(session, "evidence.csv", text.encode(), commit=True)
        session.commit()
        skipped = [r for r in preview.rows if r.action == "skipped"]
        assert [(r.key, r.reason) for r in skipped] == [
            ("bulk.position", "source: no source with key 'no_such_source'")
        ]
        assert session.exec(select(Claim).where(Claim.key == "bulk.sae-scales")).one()  # the others are stored


def test_the_seed_yaml_format_loads_sources_claims_and_critiques_in_one_file(seeded_url, engine_for):
    with Session(engine_for(seeded_url)) as session:
        preview = load(session, "evidence.yaml", commit=True)
        assert preview.ok, preview.problems
        session.commit()
        assert [(r.kind, r.status) for r in preview.rows] == [("source", "new"), ("claim", "new"), ("critique", "new")]
        assert session.exec(select(Source).where(Source.key == "bulk_yaml_source")).one().arxiv_id == "2602.01234"
    with Session(engine_for(seeded_url)) as session:
        assert load(session, "evidence.yaml").counts == {"unchanged": 3}
    broken = (FIXTURES / "evidence.yaml").read_text().replace("confidence: 0.6", "confidence: 6")
    with Session(engine_for(seeded_url)) as session:
        preview = load(session, "evidence.yaml", broken.encode(), strict=True)
    assert preview.problems == [
        "evidence.yaml:12: claim 'bulk_yaml.claim': confidence: Enter a number no larger than 1."
    ]


def test_a_yaml_entry_in_error_or_repeated_is_skipped_alone(sqlite_seeded_url, engine_for):
    broken = (FIXTURES / "evidence.yaml").read_text().replace("confidence: 0.6", "confidence: 6")
    with Session(engine_for(sqlite_seeded_url)) as session:
        preview = load(session, "evidence.yaml", broken.encode(), commit=True)
        session.commit()
    assert preview.ok and [(r.kind, r.key, r.status) for r in preview.rows] == [
        ("source", "bulk_yaml_source", "new"),
        ("claim", "bulk_yaml.claim", "skipped"),
        ("critique", "bulk_yaml.crit", "skipped"),  # its target claim was not stored
    ]
    assert preview.rows[1].reason == "confidence: Enter a number no larger than 1."
    text = "sources:\n  - {key: a1, kind: paper, title: First}\n  - {key: a1, kind: paper, title: Again}\n"
    with Session(engine_for(sqlite_seeded_url)) as session:
        preview = load(session, "twice.yaml", text.encode(), commit=True)
        session.commit()
        assert [(r.status, r.reason) for r in preview.rows] == [
            ("new", None),
            ("skipped", "duplicate source key 'a1' (also at line 2)"),
        ]
        assert session.exec(select(Source).where(Source.key == "a1")).one().title == "First"


def test_exports_neutralise_formulas_and_the_import_reads_them_back_unchanged(sqlite_seeded_url, engine_for):
    with Session(engine_for(sqlite_seeded_url)) as session:
        assert load(session, "formula.csv", commit=True).ok
        session.commit()
        exported = export_list(session, "claims", listing.ClaimFilters(key=["bulk.formula"]), "csv").text
    row = next(csv.DictReader(io.StringIO(exported)))
    assert row["claim_text"] == "'=cmd|' /C calc'!A0"
    assert row["model_name"] == "'@SUM(1+1)" and row["result_notes"].startswith("'+HYPERLINK")
    for cell in row.values():
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    with Session(engine_for(sqlite_seeded_url)) as session:
        assert load(session, "claims.csv", exported.encode()).counts == {"unchanged": 1}


def test_the_seeds_claims_export_as_csv_and_reimport_unchanged(sqlite_seeded_url, engine_for):
    with Session(engine_for(sqlite_seeded_url)) as session:
        exported = export_list(session, "results", listing.ResultFilters(), "csv")
        preview = load(session, exported.filename, exported.text.encode())
        assert preview.ok, preview.problems
        assert set(preview.counts) == {"unchanged"}
        exported = export_list(session, "claims", listing.ClaimFilters(), "csv")
        assert load(session, exported.filename, exported.text.encode()).counts == {"unchanged": 86}


def test_an_import_never_deletes_the_results_a_file_leaves_out(sqlite_seeded_url, engine_for):
    with Session(engine_for(sqlite_seeded_url)) as session:
        claim_id = session.exec(
            select(Result.claim_id)
            .where(Result.deleted_at.is_(None))
            .group_by(Result.claim_id)
            .having(func.count() > 1)
        ).first()
        live = set(session.exec(select(Result.key).where(Result.claim_id == claim_id, Result.deleted_at.is_(None))))
        exported = export_list(session, "results", listing.ResultFilters(key=[min(live)]), "csv").text
        assert [row["result_key"] for row in csv.DictReader(io.StringIO(exported))] == [min(live)]
        edited = exported.replace(",success,", ",partial,").replace(",failure,", ",partial,")
        preview = load(session, "one-result.csv", edited.encode(), commit=True)
        assert preview.ok, preview.problems
        session.commit()
        after = set(session.exec(select(Result.key).where(Result.claim_id == claim_id, Result.deleted_at.is_(None))))
        assert after == live


def test_the_csv_columns_cover_every_field_of_a_claim_and_a_result():
    """A field added to ClaimIn or ResultIn needs its CSV column, or an export and re-import would lose it."""
    from app.evidence.interchange.bulk import CLAIM_COLUMNS, RESULT_COLUMNS
    from app.evidence.schemas.claims import ClaimIn
    from app.evidence.schemas.results import ResultIn

    assert set(CLAIM_COLUMNS.values()) | {"results"} == set(ClaimIn.model_fields)
    assert set(RESULT_COLUMNS.values()) | {"params_low", "params_high"} == set(ResultIn.model_fields)


def test_the_evaluation_standard_sample_size_and_not_assessed_go_out_and_come_back(sqlite_seeded_url, engine_for):
    header = "claim_key,source,claim_text,aspects,stance,claim_kind,confidence,result_key,model_name,params,"
    header += "result_method,outcome,evaluation_standard,sample_size,baseline_method"
    rows = [
        "bulk.v3,karvonen2025_saebench,An SAE suite was trained at 9B.,features,supports,finding,0.5,"
        "bulk.v3.r1,Gemma-2-9B,9.2B,sae,not_assessed,internal_metric,113,",
        "bulk.v3,karvonen2025_saebench,An SAE suite was trained at 9B.,features,supports,finding,0.5,"
        "bulk.v3.r2,Gemma-2-2B,2.6B,sae,failure,simple_baseline,8,linear_probe",
    ]
    with Session(engine_for(sqlite_seeded_url)) as session:
        preview = load(session, "v3.csv", "\n".join([header, *rows]).encode(), commit=True)
        assert preview.ok, preview.problems
        session.commit()
        exported = export_list(session, "claims", listing.ClaimFilters(key=["bulk.v3"]), "csv").text
    out = {row["result_key"]: row for row in csv.DictReader(io.StringIO(exported))}
    assert [(r["outcome"], r["evaluation_standard"], r["sample_size"]) for r in out.values()] == [
        ("not_assessed", "internal_metric", "113"),
        ("failure", "simple_baseline", "8"),
    ]
    with Session(engine_for(sqlite_seeded_url)) as session:
        assert load(session, "claims.csv", exported.encode()).counts == {"unchanged": 1}
        refused = load(session, "bad.csv", "\n".join([header, rows[1].replace("linear_probe", "sae")]).encode())
        skipped = [r for r in refused.rows if r.action == "skipped"]  # the entry is refused, the import goes on
        assert skipped and "sae is a mechanistic method" in skipped[0].reason, refused.rows


@pytest.mark.parametrize(
    ("typed", "low", "high"),
    [
        ("2B-28B", 2e9, 2.8e10),
        ("2B to 28B", 2e9, 2.8e10),
        ("70 billion - 100 billion", 7e10, 1e11),
        ("1e9..3e9", 1e9, 3e9),
    ],
)
def test_a_csv_size_range_is_read_as_the_forms_and_the_api_read_it(typed, low, high):
    """One parser of sizes: every range the forms take, the CSV column takes, with or without a point before it."""
    from app.evidence.interchange.bulk import params_values

    assert params_values(typed) == {"params_low": low, "params_high": high, "params_basis": "undisclosed"}
    with_point = params_values(f"5e9 ({typed})")
    assert (with_point["params"], with_point["params_low"], with_point["params_high"]) == (5e9, low, high)
