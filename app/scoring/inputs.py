"""The Evidence container: the exporter's frames, checked, normalised and put in canonical order."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from app.evidence.enums import (
    ClaimKind,
    ClaimStatus,
    CritiqueKind,
    CritiqueStatus,
    EvaluationStandard,
    Grade,
    MethodFamily,
    Outcome,
    ParamsBasis,
    SafetyImpact,
    SizeEstimateKind,
    SourceKind,
    Stance,
    Winner,
)
from app.scoring.schema import ENGINE_VERSION

STR, FLOAT, BOOL, INT = "str", "float", "bool", "int"

COLUMNS: dict[str, dict[str, str]] = {
    "sources": {
        "key": STR,
        "kind": STR,
        "peer_reviewed": BOOL,
        "year": INT,
        "published_date": STR,
        "title": STR,
        "organization": STR,
    },
    "claims": {
        "key": STR,
        "source_key": STR,
        "text": STR,
        "kind": STR,
        "stance": STR,
        "status": STR,
        "confidence": FLOAT,
        "method": STR,
    },
    "claim_aspects": {"claim_key": STR, "aspect_key": STR},
    "claim_questions": {"claim_key": STR, "question_key": STR},
    "results": {
        "key": STR,
        "claim_key": STR,
        "model_name": STR,
        "params_basis": STR,
        "params": FLOAT,
        "params_low": FLOAT,
        "params_high": FLOAT,
        "params_estimate_kind": STR,
        "method": STR,
        "task": STR,
        "metric_name": STR,
        "metric_value": FLOAT,
        "baseline_name": STR,
        "baseline_value": FLOAT,
        "baseline_method": STR,
        "winner": STR,
        "higher_is_better": BOOL,
        "outcome": STR,
        "reach_outcome": STR,
        "safety_impact": STR,
        "baseline_safety_impact": STR,
        "evaluation_standard": STR,
        "sample_size": FLOAT,
    },
    "critiques": {
        "key": STR,
        "target_claim_key": STR,
        "critic_source_key": STR,
        "critic_claim_key": STR,
        "kind": STR,
        "text": STR,
        "severity": FLOAT,
        "status": STR,
    },
    "methods": {"key": STR, "name": STR, "family": STR},
    "aspects": {"key": STR, "name": STR, "sort_order": INT},
    "bands": {"key": STR, "name": STR, "min_params": FLOAT, "max_params": FLOAT, "sort_order": INT},
    "questions": {"key": STR, "number": INT, "title": STR},
    "grade_overrides": {"aspect_key": STR, "grade": STR, "reason": STR},
}

VOCABULARIES: dict[tuple[str, str], set[str]] = {
    ("sources", "kind"): set(SourceKind),
    ("claims", "kind"): set(ClaimKind),
    ("claims", "stance"): set(Stance),
    ("claims", "status"): set(ClaimStatus),
    ("results", "params_basis"): set(ParamsBasis),
    ("results", "outcome"): set(Outcome),
    ("results", "reach_outcome"): set(Outcome) - {Outcome.not_assessed},
    ("results", "evaluation_standard"): set(EvaluationStandard),
    ("results", "params_estimate_kind"): set(SizeEstimateKind),
    ("results", "winner"): set(Winner),
    ("results", "safety_impact"): set(SafetyImpact),
    ("results", "baseline_safety_impact"): set(SafetyImpact),
    ("critiques", "kind"): set(CritiqueKind),
    ("critiques", "status"): set(CritiqueStatus),
    ("methods", "family"): set(MethodFamily),
    ("grade_overrides", "grade"): set(Grade),
}

REQUIRED_VALUES: dict[str, tuple[str, ...]] = {
    "sources": ("key", "kind"),
    "claims": ("key", "source_key", "kind", "stance", "status", "confidence"),
    "claim_aspects": ("claim_key", "aspect_key"),
    "claim_questions": ("claim_key", "question_key"),
    "results": ("key", "claim_key", "params_basis", "outcome", "safety_impact", "baseline_safety_impact"),
    "critiques": ("key", "target_claim_key", "kind", "severity", "status"),
    "methods": ("key", "family"),
    "aspects": ("key",),
    "bands": ("key",),
    "questions": ("key",),
    "grade_overrides": ("aspect_key", "grade"),
}


REFERENCES: dict[tuple[str, str], str] = {  # (table, column) -> the table whose key it names
    ("claims", "source_key"): "sources",
    ("claim_aspects", "claim_key"): "claims",
    ("claim_aspects", "aspect_key"): "aspects",
    ("results", "claim_key"): "claims",
    ("critiques", "target_claim_key"): "claims",
    ("critiques", "critic_source_key"): "sources",
    ("critiques", "critic_claim_key"): "claims",
    ("grade_overrides", "aspect_key"): "aspects",
}


class EvidenceError(ValueError):
    """The evidence frames break the input contract."""


@dataclass(frozen=True)
class Coded:
    """A text column as codes into its distinct values (-1 where missing): vocabulary checks, reference
    lookups and the engine's value maps then cost one pass over the distinct values, not over the rows."""

    codes: np.ndarray
    uniques: np.ndarray

    def take(self, values: np.ndarray, missing: Any) -> np.ndarray:
        """values[i] for the i-th distinct value, `missing` where the column is missing."""
        return np.append(np.asarray(values), missing)[self.codes]


def _coded(values: np.ndarray | pd.api.extensions.ExtensionArray, cast: type) -> Coded:
    """The column's codes and distinct values in order of first appearance (pd.factorize). A column of Arrow
    strings (the export's large frames) is coded by Arrow, which gives the same codes and values without a
    Python object per row."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    uniques = np.asarray(uniques, dtype=object)
    expected = ("string", "empty") if cast is str else ("boolean", "empty")
    if pd.api.types.infer_dtype(uniques, skipna=False) not in expected:  # e.g. numbers in a text column
        values = np.array([None if pd.isna(v) else cast(v) for v in values], dtype=object)
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return Coded(codes.astype(np.intp), np.asarray(uniques, dtype=object))


def _normalise(name: str, frame: pd.DataFrame) -> tuple[dict[str, Any], dict[str, Coded]]:
    """The contract's columns in the frame's order: numbers typed (float, or Int64), text and yes/no coded.
    Checks required values and vocabularies."""
    spec = COLUMNS[name]
    missing = [c for c in spec if c not in frame.columns]
    if missing:
        raise EvidenceError(f"{name}: missing columns {missing}")
    numbers, coded = {}, {}
    for column, kind in spec.items():
        series = frame[column]
        if kind in (STR, BOOL):
            text = series.array if isinstance(series.dtype, pd.ArrowDtype) else series.to_numpy(dtype=object)
            coded[column] = _coded(text, str if kind == STR else bool)
        elif kind == FLOAT:
            numbers[column] = pd.to_numeric(pd.Series(series.to_numpy()), errors="raise").to_numpy(dtype=float)
        else:
            numbers[column] = pd.array(pd.to_numeric(pd.Series(series.to_numpy()), errors="raise"), dtype="Int64")
    for column in REQUIRED_VALUES[name]:
        if (coded[column].codes < 0).any() if column in coded else pd.isna(numbers[column]).any():
            raise EvidenceError(f"{name}.{column}: missing values")
    for (table, column), allowed in VOCABULARIES.items():
        if table == name:
            bad = sorted(set(coded[column].uniques) - allowed)
            if bad:
                raise EvidenceError(f"{name}.{column}: unknown values {bad[:5]}")
    return numbers, coded


MISSING_HASH = np.uint64(2**64 - 1)


def _row_hashes(name: str, n: int, numbers: dict[str, Any], coded: dict[str, Coded]) -> np.ndarray:
    """pandas' row hashes (`hash_pandas_object(frame, index=False)`), computed faster: pandas hashes a text
    or yes/no column by coding it and hashing each distinct value once, which the coded columns have already
    done. The columns' hashes are combined as pandas combines them (CPython's tuple hash)."""
    spec = COLUMNS[name]
    out = np.full(n, 0x345678, dtype=np.uint64)
    mult = np.uint64(1000003)
    for i, column in enumerate(spec):
        if column in coded:
            hashed = coded[column].take(pd.util.hash_array(coded[column].uniques, categorize=False), MISSING_HASH)
        else:
            hashed = pd.util.hash_pandas_object(pd.Series(numbers[column]), index=False).to_numpy()
        out ^= hashed
        out *= mult
        mult += np.uint64(82520 + 2 * (len(spec) - i))
    return out + np.uint64(97531)


@dataclass(frozen=True, eq=False)
class Table:
    """One frame of the evidence in canonical order (by row hash), with its row hashes and coded columns."""

    frame: pd.DataFrame
    hashes: np.ndarray
    codes: dict[str, Coded]


def frame_of(name: str, numbers: dict[str, Any], codes: dict[str, Coded]) -> pd.DataFrame:
    """The frame as the engine reads it: text and yes/no as objects with None, numbers as float or Int64."""
    columns = {c: codes[c].take(codes[c].uniques, None) if c in codes else numbers[c] for c in COLUMNS[name]}
    return pd.DataFrame(columns, index=range(len(next(iter(columns.values())))), copy=False)


def build_table(name: str, frame: pd.DataFrame) -> Table:
    """Check, normalise and sort one frame."""
    numbers, coded = _normalise(name, frame)
    hashes = _row_hashes(name, len(frame), numbers, coded)
    order = np.argsort(hashes, kind="stable")
    codes = {column: Coded(code.codes[order], code.uniques) for column, code in coded.items()}
    return Table(frame_of(name, {c: v[order] for c, v in numbers.items()}, codes), hashes[order], codes)


KEYED = ("sources", "claims", "results", "critiques", "methods", "aspects", "bands")


@dataclass(frozen=True, eq=False)
class Evidence:
    """The eleven frames of the input contract (see docs/scoring.md, 'Input')."""

    sources: pd.DataFrame
    claims: pd.DataFrame
    claim_aspects: pd.DataFrame
    claim_questions: pd.DataFrame
    results: pd.DataFrame
    critiques: pd.DataFrame
    methods: pd.DataFrame
    aspects: pd.DataFrame
    bands: pd.DataFrame
    questions: pd.DataFrame
    grade_overrides: pd.DataFrame

    def __post_init__(self) -> None:
        self._install({name: build_table(name, getattr(self, name)) for name in COLUMNS}, None)

    @classmethod
    def of_tables(cls, tables: dict[str, Table], previous: Evidence | None = None) -> Evidence:
        """Evidence from checked tables (see app/scoring/delta.py); reference lookups that neither side of
        changed are reused from `previous`."""
        evidence = object.__new__(cls)
        evidence._install(tables, previous)
        return evidence

    def _install(self, tables: dict[str, Table], previous: Evidence | None) -> None:
        for name, table in tables.items():
            object.__setattr__(self, name, table.frame)
        object.__setattr__(self, "_tables", tables)
        for name in KEYED:
            if len(self.coded(name, "key").uniques) < len(tables[name].frame):
                keys = tables[name].frame["key"]
                raise EvidenceError(f"{name}: duplicate keys {sorted(keys[keys.duplicated()])[:5]}")
        object.__setattr__(self, "_lookups", self._check_references(previous))
        self._check_bands()

    def table(self, name: str) -> Table:
        return self._tables[name]

    def coded(self, table: str, column: str) -> Coded:
        """A text or yes/no column as codes into its distinct values, in the frame's (canonical) order."""
        return self._tables[table].codes[column]

    def positions(self, table: str, column: str) -> np.ndarray:
        """For a reference column (e.g. results.claim_key): the row of the referenced table, -1 where empty."""
        return self._lookups[table, column][1]

    def _check_references(self, previous: Evidence | None) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]:
        """For each reference: the referenced row of each distinct value, and of each row."""
        lookups = {}
        for (table, column), target in REFERENCES.items():
            coded = self.coded(table, column)
            if (
                previous is not None
                and previous.table(target) is self.table(target)
                and previous.coded(table, column).uniques is coded.uniques
            ):
                at = previous._lookups[table, column][0]
            else:
                at = pd.Index(self.table(target).frame["key"]).get_indexer(coded.uniques)
                bad = sorted(coded.uniques[at < 0])
                if bad:
                    raise EvidenceError(f"{table}.{column}: unknown {target} {bad[:5]}")
            lookups[table, column] = at, coded.take(at, -1)
        return lookups

    def _check_bands(self) -> None:
        bands = self.bands.assign(
            lo=self.bands.min_params.fillna(0.0), hi=self.bands.max_params.fillna(np.inf)
        ).sort_values("lo")
        if (bands.lo >= bands.hi).any():
            raise EvidenceError("bands: min_params must be below max_params")
        if (bands.lo.to_numpy()[1:] < bands.hi.to_numpy()[:-1]).any():
            raise EvidenceError("bands: ranges overlap; a size must fall in at most one band")

    @classmethod
    def from_records(cls, **tables: list[dict[str, Any]]) -> Evidence:
        """Build Evidence from lists of dicts; absent tables are empty and absent columns are None."""
        unknown = set(tables) - set(COLUMNS)
        if unknown:
            raise EvidenceError(f"unknown tables {sorted(unknown)}")
        frames = {}
        for name, spec in COLUMNS.items():
            rows = tables.get(name, [])
            frames[name] = pd.DataFrame([{c: row.get(c) for c in spec} for row in rows], columns=list(spec))
        return cls(**frames)

    def fingerprint_digest(self) -> hashlib._Hash:
        """A sha256 over every frame, independent of row order."""
        digest = hashlib.sha256()
        for field in fields(self):
            digest.update(field.name.encode())
            digest.update(self._tables[field.name].hashes.tobytes())
        return digest


def fingerprint(evidence: Evidence, settings_json: str) -> str:
    """sha256 of the evidence (row-order independent), the settings JSON and the engine's version: the caches
    find an assessment by it, so an upgraded engine must not be handed the output of the one before."""
    digest = evidence.fingerprint_digest()
    digest.update(settings_json.encode())
    digest.update(f"\nengine {ENGINE_VERSION}".encode())
    return digest.hexdigest()
