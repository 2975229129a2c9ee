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
    ("results", "reach_outcome"): set(Outcome),
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


class EvidenceError(ValueError):
    """The evidence frames break the input contract."""


def _normalise(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    spec = COLUMNS[name]
    missing = [c for c in spec if c not in frame.columns]
    if missing:
        raise EvidenceError(f"{name}: missing columns {missing}")
    columns = {}
    for column, kind in spec.items():
        values = frame[column].to_numpy()
        if kind in (STR, BOOL):
            values = np.array(values, dtype=object)
            values[pd.isna(values)] = None
            expected = ("string", "empty") if kind == STR else ("boolean", "empty")
            if pd.api.types.infer_dtype(values, skipna=True) not in expected:
                cast = str if kind == STR else bool
                values = np.array([v if v is None else cast(v) for v in values], dtype=object)
            columns[column] = values
        elif kind == FLOAT:
            columns[column] = pd.to_numeric(pd.Series(values), errors="raise").to_numpy(dtype=float)
        else:
            columns[column] = pd.array(pd.to_numeric(pd.Series(values), errors="raise"), dtype="Int64")
    out = pd.DataFrame(columns, index=range(len(frame)))
    for column in REQUIRED_VALUES[name]:
        if out[column].isna().any():
            raise EvidenceError(f"{name}.{column}: missing values")
    for (table, column), allowed in VOCABULARIES.items():
        if table == name:
            bad = sorted(set(out[column].dropna()) - allowed)
            if bad:
                raise EvidenceError(f"{name}.{column}: unknown values {bad[:5]}")
    return out


def _row_hashes(frame: pd.DataFrame) -> np.ndarray:
    if frame.empty:
        return np.zeros(0, dtype=np.uint64)
    return pd.util.hash_pandas_object(frame, index=False).to_numpy()


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
        hashes = {}
        for name in COLUMNS:
            frame = _normalise(name, getattr(self, name))
            row_hashes = _row_hashes(frame)
            order = np.argsort(row_hashes, kind="stable")
            hashes[name] = row_hashes[order]
            object.__setattr__(self, name, frame.iloc[order].reset_index(drop=True))
        object.__setattr__(self, "_sorted_row_hashes", hashes)
        for name in ("sources", "claims", "results", "critiques", "methods", "aspects", "bands"):
            keys = getattr(self, name)["key"]
            if keys.duplicated().any():
                raise EvidenceError(f"{name}: duplicate keys {sorted(keys[keys.duplicated()])[:5]}")
        self._check_references()
        self._check_bands()

    def _check_references(self) -> None:
        def known(table: str, column: str, target: str, optional: bool = False) -> None:
            values = getattr(self, table)[column]
            if optional:
                values = values.dropna()
            bad = sorted(set(values) - set(getattr(self, target)["key"]))
            if bad:
                raise EvidenceError(f"{table}.{column}: unknown {target} {bad[:5]}")

        known("claims", "source_key", "sources")
        known("claim_aspects", "claim_key", "claims")
        known("claim_aspects", "aspect_key", "aspects")
        known("results", "claim_key", "claims")
        known("critiques", "target_claim_key", "claims")
        known("critiques", "critic_source_key", "sources", optional=True)
        known("critiques", "critic_claim_key", "claims", optional=True)
        known("grade_overrides", "aspect_key", "aspects")

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
            digest.update(self._sorted_row_hashes[field.name].tobytes())
        return digest


def fingerprint(evidence: Evidence, settings_json: str) -> str:
    """sha256 of the evidence (row-order independent) and the settings JSON."""
    digest = evidence.fingerprint_digest()
    digest.update(settings_json.encode())
    return digest.hexdigest()
