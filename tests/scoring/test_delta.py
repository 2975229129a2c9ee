"""Evidence revised by a few changed rows (app/scoring/delta.py) is the Evidence a full build gives: the same
frames, distinct values, references, fingerprint and assessment, for any change; bad changes are refused
with the error a full build gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.scoring import Evidence, assess
from app.scoring.delta import Delta, revised
from app.scoring.inputs import COLUMNS, EvidenceError, fingerprint
from app.scoring.records import build_evidence
from tests.scoring.test_scoring_properties import PROPERTY, evidence_parts
from tests.support.synthetic import synthetic_evidence

EDITS = {  # a column each table's edits may change, and values to draw from
    "sources": ("year", [2001, 2019, 2026]),
    "claims": ("status", ["reviewed", "draft", "retracted"]),
    "results": ("outcome", ["success", "partial", "failure"]),
    "critiques": ("severity", [0.1, 0.5, 0.9]),
    "claim_aspects": ("aspect_key", ["features", "circuits", "safety"]),
}


def frames_of(evidence: Evidence) -> dict[str, pd.DataFrame]:
    return {name: getattr(evidence, name) for name in COLUMNS}


def assert_same(revised_evidence: Evidence, full: Evidence) -> None:
    assert fingerprint(revised_evidence, "") == fingerprint(full, "")
    for name in COLUMNS:
        pd.testing.assert_frame_equal(getattr(revised_evidence, name), getattr(full, name))
        for column, coded in revised_evidence.table(name).codes.items():
            other = full.coded(name, column)
            assert sorted(map(repr, coded.uniques)) == sorted(map(repr, other.uniques))  # exactly those present
            np.testing.assert_array_equal(coded.take(coded.uniques, None), other.take(other.uniques, None))
    for table, column in (("results", "claim_key"), ("claims", "source_key"), ("critiques", "target_claim_key")):
        np.testing.assert_array_equal(revised_evidence.positions(table, column), full.positions(table, column))
    assert assess(revised_evidence).model_dump_json() == assess(full).model_dump_json()


def edited(frame: pd.DataFrame, rows: list[int], column: str, value) -> pd.DataFrame:
    out = frame.iloc[rows].copy()
    out[column] = [value] * len(out)
    return out


@st.composite
def changes(draw, evidence: Evidence):
    """One table's rows taken out and edited copies (and rows taken out earlier) put back."""
    name = draw(st.sampled_from(sorted(EDITS)))
    frame = getattr(evidence, name)
    if not len(frame):
        return name, frame.iloc[:0], frame.iloc[:0]
    picked = draw(st.lists(st.integers(0, len(frame) - 1), max_size=4, unique=True))
    column, values = EDITS[name]
    rewritten = draw(st.lists(st.sampled_from(picked), unique=True)) if picked else []
    added = edited(frame, rewritten, column, draw(st.sampled_from(values)))
    return name, frame.iloc[picked], added


@PROPERTY
@given(evidence_parts(), st.data())
def test_a_revised_evidence_is_the_full_build_of_the_changed_frames(parts, data):
    evidence = build_evidence(*parts)
    name, removed, added = data.draw(changes(evidence))
    frames = frames_of(evidence)
    frames[name] = pd.concat([frame_drop(frames[name], removed), added], ignore_index=True)
    try:
        full = Evidence(**frames)
    except EvidenceError as error:  # e.g. a claim taken out that results still name
        with pytest.raises(EvidenceError) as raised:
            revised(evidence, {name: Delta(removed, added)})
        assert str(raised.value) == str(error)
        return
    assert_same(revised(evidence, {name: Delta(removed, added)}), full)


def frame_drop(frame: pd.DataFrame, removed: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(index=removed.index)


@PROPERTY
@given(evidence_parts(), st.data())
def test_deltas_of_several_writes_can_be_joined_in_order(parts, data):
    evidence = build_evidence(*parts)
    name, removed, added = data.draw(changes(evidence))
    # a second write takes the first one's rows out again and puts the originals back
    joined = Delta(pd.concat([removed, added]), pd.concat([added, removed]))
    assert_same(revised(evidence, {name: joined}), evidence)


def test_a_million_row_table_is_revised_by_one_result_without_a_full_build():
    evidence = synthetic_evidence(20_000, seed=4)
    results = evidence.results
    changed = edited(results, [3], "model_name", "a model never seen before")
    changed["key"] = "res-renamed"
    new = edited(results, [7], "key", "res-new")
    delta = Delta(results.iloc[[3, 11]], pd.concat([changed, new]))
    frames = frames_of(evidence)
    frames["results"] = pd.concat([results.drop(index=[3, 11]), changed, new], ignore_index=True)
    assert_same(revised(evidence, {"results": delta}), Evidence(**frames))


def test_whole_frames_replace_and_unchanged_tables_are_shared():
    evidence = synthetic_evidence(2_000, seed=5)
    sources = evidence.sources.assign(organization="one lab")
    after = revised(evidence, {"sources": sources})
    frames = frames_of(evidence) | {"sources": sources}
    assert_same(after, Evidence(**frames))
    assert after.table("results") is evidence.table("results")


def _a_second_copy(ev: Evidence) -> Delta:
    return Delta(ev.results.iloc[:0], ev.results.iloc[[0]])


def _a_row_that_is_not_there(ev: Evidence) -> Delta:
    other = "failure" if ev.results["outcome"][0] != "failure" else "success"
    return Delta(edited(ev.results, [0], "outcome", other), ev.results.iloc[:0])


def _an_unknown_outcome(ev: Evidence) -> Delta:
    return Delta(ev.results.iloc[:0], edited(ev.results, [0], "outcome", "won"))


def _an_unknown_claim(ev: Evidence) -> Delta:
    return Delta(ev.results.iloc[[0]], edited(ev.results, [0], "claim_key", "no-such-claim"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_a_second_copy, "results: duplicate keys"),
        (_a_row_that_is_not_there, "a row to remove is not in the evidence"),
        (_an_unknown_outcome, r"unknown values \['won'\]"),
        (_an_unknown_claim, "unknown claims"),
    ],
)
def test_a_change_the_evidence_cannot_take_is_refused(change, message):
    evidence = synthetic_evidence(500, seed=6)
    with pytest.raises(EvidenceError, match=message):
        revised(evidence, {"results": change(evidence)})


def test_an_unknown_table_is_refused():
    with pytest.raises(EvidenceError, match="unknown tables"):
        revised(synthetic_evidence(100, seed=1), {"nonsense": pd.DataFrame()})
