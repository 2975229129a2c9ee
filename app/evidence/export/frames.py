"""The store as plain pandas frames: the thin loader between the database and the pure scoring engine.

Only live rows are exported (soft-deleted ones are gone; a retracted claim stays, with its status, so
the engine can give it weight zero and say so). Column names and meanings are the engine's input
contract (app/scoring/inputs.py, docs/scoring.md).

Reading is columnar: one query per frame, its DBAPI rows fetched at once into a 2-D array and split
into columns (no ORM objects, no SQLAlchemy rows). At a million results that full read still takes
seconds, so the process keeps its last export and, after a write, re-reads only the rows that the
revision log names (and the rows depending on them): see app/evidence/export/live.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection

# Frames the revision log can patch carry hidden `_id` columns (dropped before the engine sees them);
# `{only}` is where a delta read narrows the query to some ids. The unary `+` on a join's foreign key keeps
# SQLite from walking source -> claim -> result through the foreign-key indexes (a million random row reads);
# it scans the many-side table and looks each parent up by primary key instead: the whole read of the results
# at 1M took 4.1 s that way and takes 3.1 s this way. PostgreSQL hash-joins either form.
QUERIES: dict[str, str] = {
    "sources": """
        SELECT key, kind, peer_reviewed, year, published_date, title, organization
        FROM source WHERE deleted_at IS NULL""",
    "claims": """
        SELECT c.id AS _id, c.key, s.key AS source_key, c.text, c.kind, c.stance, c.status, c.confidence,
               c.method_key AS method
        FROM claim c JOIN source s ON s.id = +c.source_id
        WHERE c.deleted_at IS NULL AND s.deleted_at IS NULL {only}""",
    "claim_aspects": """
        SELECT c.id AS _claim_id, c.key AS claim_key, ca.aspect_key
        FROM claim_aspect ca JOIN claim c ON c.id = +ca.claim_id JOIN source s ON s.id = +c.source_id
        WHERE c.deleted_at IS NULL AND s.deleted_at IS NULL {only}""",
    "claim_questions": """
        SELECT c.id AS _claim_id, c.key AS claim_key, cq.question_key
        FROM claim_question cq JOIN claim c ON c.id = +cq.claim_id JOIN source s ON s.id = +c.source_id
        WHERE c.deleted_at IS NULL AND s.deleted_at IS NULL {only}""",
    "results": """
        SELECT r.id AS _id, r.key, c.key AS claim_key, r.model_name, r.params_basis, r.params, r.params_low,
               r.params_high, r.params_estimate_kind, r.method_key AS method, r.task, r.metric_name,
               r.metric_value, r.baseline_name, r.baseline_value, r.baseline_method_key AS baseline_method,
               r.winner, r.higher_is_better, r.outcome, r.reach_outcome, r.safety_impact, r.baseline_safety_impact,
               r.evaluation_standard, r.sample_size
        FROM result r JOIN claim c ON c.id = +r.claim_id JOIN source s ON s.id = +c.source_id
        WHERE r.deleted_at IS NULL AND c.deleted_at IS NULL AND s.deleted_at IS NULL {only}""",
    "critiques": """
        SELECT k.key, t.key AS target_claim_key, cs.key AS critic_source_key, cc.key AS critic_claim_key,
               k.kind, k.text, k.severity, k.status
        FROM critique k
        JOIN claim t ON t.id = k.target_claim_id
        JOIN source ts ON ts.id = t.source_id
        LEFT JOIN source cs ON cs.id = k.critic_source_id
        LEFT JOIN claim cc ON cc.id = k.critic_claim_id
        WHERE k.deleted_at IS NULL AND t.deleted_at IS NULL AND ts.deleted_at IS NULL
          AND (k.critic_source_id IS NULL OR cs.deleted_at IS NULL)
          AND (k.critic_claim_id IS NULL OR cc.deleted_at IS NULL)""",
    "methods": "SELECT key, name, family FROM method",
    "aspects": "SELECT key, name, sort_order FROM aspect",
    "bands": "SELECT key, name, min_params, max_params, sort_order FROM scale_band",
    "questions": "SELECT key, number, title FROM research_question",
    "grade_overrides": "SELECT aspect_key, grade, reason FROM grade_override",
}
# frame -> the id column a delta read filters on
PATCHABLE = {"claims": "c.id", "claim_aspects": "ca.claim_id", "claim_questions": "cq.claim_id", "results": "r.id"}


def _column(values: np.ndarray) -> np.ndarray:
    """Numbers as float/int arrays (missing -> NaN), everything else as objects with None."""
    return pd.Series(values, dtype=object, copy=False).infer_objects().to_numpy()


def read_frame(connection: Connection, sql: str) -> pd.DataFrame:
    """One query, its rows fetched from the driver in one call and cut into columns."""
    result = connection.exec_driver_sql(sql)
    names = list(result.keys())
    rows = result.cursor.fetchall()
    result.close()
    block = np.empty((len(rows), len(names)), dtype=object)
    if rows:
        block[:] = rows
    return pd.DataFrame({name: _column(block[:, i]) for i, name in enumerate(names)})


# Numeric columns, typed the same whatever the reader (the DBAPI rows or Arrow) and however many rows are missing.
FLOATS = {
    "claims": ("confidence",),
    "results": ("params", "params_low", "params_high", "metric_value", "baseline_value", "sample_size"),
    "critiques": ("severity",),
    "bands": ("min_params", "max_params"),
}
INTS = {
    "sources": ("year",),
    "claims": ("_id",),
    "claim_aspects": ("_claim_id",),
    "claim_questions": ("_claim_id",),
    "results": ("_id",),
    "aspects": ("sort_order",),
    "bands": ("sort_order",),
    "questions": ("number",),
}


def tidy(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Normalise what drivers and readers return differently (SQLite 0/1 booleans, date objects, the type of a
    column without values) to one form: floats as float64, whole numbers as int64 (float64 where some are missing)."""
    numeric = {*FLOATS.get(name, ()), *INTS.get(name, ())}
    if frame.empty:  # a driver types a column it saw no value of as it likes (ADBC's SQLite: int64)
        frame = frame.astype({c: object for c in frame.columns if c not in numeric})
    for column in frame.columns:  # so is a text column without a value (ADBC's SQLite: float64 NaN)
        if column not in numeric and frame[column].dtype != object and frame[column].isna().all():
            frame[column] = np.full(len(frame), None, dtype=object)
    for column in FLOATS.get(name, ()):
        frame[column] = pd.to_numeric(frame[column]).astype(float)
    for column in INTS.get(name, ()):
        values = pd.to_numeric(frame[column])
        frame[column] = values.astype(np.int64 if values.dtype.kind in "iu" else float)
    if name == "sources":
        frame["peer_reviewed"] = frame["peer_reviewed"].astype(bool)
        frame["published_date"] = frame["published_date"].map(lambda d: None if d is None else str(d)[:10])
    if name == "results":
        flags = frame["higher_is_better"].to_numpy(dtype=object)
        present = pd.notna(flags)
        out = np.full(len(flags), None, dtype=object)
        out[present] = flags[present].astype(bool)
        frame["higher_is_better"] = out
    return frame


def query(name: str, only: str = "") -> str:
    return QUERIES[name].replace("{only}", only)


def read_all(connection: Connection) -> dict[str, pd.DataFrame]:
    """Every frame with its hidden id columns."""
    return {name: tidy(name, read_frame(connection, query(name))) for name in QUERIES}


def public(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The frames as the engine's contract has them: without the hidden id columns."""
    return {
        name: pd.DataFrame({c: frame[c].array for c in frame.columns if not c.startswith("_")}, copy=False)
        for name, frame in frames.items()
    }


def evidence_frames(connection: Connection) -> dict[str, pd.DataFrame]:
    """Every frame of the engine's input contract, read in one go from the live evidence."""
    return public(read_all(connection))
