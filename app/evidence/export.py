"""The store as plain pandas frames: the thin loader between the database and the pure scoring engine.

Only live rows are exported (soft-deleted ones are gone; a retracted claim stays, with its status, so
the engine can give it weight zero and say so). Column names and meanings are the engine's input
contract (app/scoring/inputs.py, docs/scoring.md).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, text

QUERIES: dict[str, str] = {
    "sources": """
        SELECT key, kind, peer_reviewed, year, published_date, title, organization
        FROM source WHERE deleted_at IS NULL""",
    "claims": """
        SELECT c.key, s.key AS source_key, c.text, c.kind, c.stance, c.status, c.confidence, c.method_key AS method
        FROM claim c JOIN source s ON s.id = c.source_id
        WHERE c.deleted_at IS NULL AND s.deleted_at IS NULL""",
    "claim_aspects": """
        SELECT c.key AS claim_key, ca.aspect_key
        FROM claim_aspect ca JOIN claim c ON c.id = ca.claim_id JOIN source s ON s.id = c.source_id
        WHERE c.deleted_at IS NULL AND s.deleted_at IS NULL""",
    "claim_questions": """
        SELECT c.key AS claim_key, cq.question_key
        FROM claim_question cq JOIN claim c ON c.id = cq.claim_id JOIN source s ON s.id = c.source_id
        WHERE c.deleted_at IS NULL AND s.deleted_at IS NULL""",
    "results": """
        SELECT r.key, c.key AS claim_key, r.model_name, r.params_basis, r.params, r.params_low, r.params_high,
               r.params_estimate_kind, r.method_key AS method, r.task, r.metric_name, r.metric_value,
               r.baseline_name, r.baseline_value, r.baseline_method_key AS baseline_method, r.winner,
               r.higher_is_better, r.outcome, r.reach_outcome, r.safety_impact, r.baseline_safety_impact
        FROM result r JOIN claim c ON c.id = r.claim_id JOIN source s ON s.id = c.source_id
        WHERE r.deleted_at IS NULL AND c.deleted_at IS NULL AND s.deleted_at IS NULL""",
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


def _tidy(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Normalise what drivers return differently (SQLite 0/1 booleans, date objects) to one form."""
    if name == "sources":
        frame["peer_reviewed"] = frame["peer_reviewed"].astype(bool)
        frame["published_date"] = frame["published_date"].map(lambda d: None if d is None else str(d)[:10])
    if name == "results":
        frame["higher_is_better"] = frame["higher_is_better"].map(lambda v: None if v is None or v != v else bool(v))
    return frame


def evidence_frames(connection: Connection) -> dict[str, pd.DataFrame]:
    """Every frame of the engine's input contract, read in one go from the live evidence."""
    return {name: _tidy(name, pd.read_sql(text(sql), connection)) for name, sql in QUERIES.items()}
