"""The export's SQL: one query per frame of the engine's input contract (app/scoring/inputs.py), the statements
that say which state of the store a read saw, and nothing else, so a process can start the whole read before it
imports pandas and the engine (app/evidence/export/arrow.py `prefetch`)."""

from __future__ import annotations

from app.evidence.enums import ClaimStatus

# The claims a reviewed-only view weighs (app/evidence/publication.py): reviewed ones, and retracted ones, which
# weigh nothing but are named.
PUBLISHED = frozenset({ClaimStatus.reviewed.value, ClaimStatus.retracted.value})

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
          AND (k.critic_claim_id IS NULL OR cc.deleted_at IS NULL) {only}""",
    "methods": "SELECT key, name, family FROM method",
    "aspects": "SELECT key, name, sort_order FROM aspect",
    "bands": "SELECT key, name, min_params, max_params, sort_order FROM scale_band",
    "questions": "SELECT key, number, title FROM research_question",
    "grade_overrides": "SELECT aspect_key, grade, reason FROM grade_override",
}
# frame -> the id column a delta read filters on
PATCHABLE = {"claims": "c.id", "claim_aspects": "ca.claim_id", "claim_questions": "cq.claim_id", "results": "r.id"}


def query(name: str, only: str = "") -> str:
    return QUERIES[name].replace("{only}", only)


# The highest revision id and the row counts: the state a read saw (read in the same transaction as the frames).
HIGH_SQL = "SELECT coalesce(max(id), 0) FROM revision"
COUNTS_SQL = "SELECT (SELECT count(*) FROM source), (SELECT count(*) FROM claim), (SELECT count(*) FROM result)"


_PUBLISHED_SQL = "(" + ", ".join(f"'{status}'" for status in sorted(PUBLISHED)) + ")"
# The rows of the published view, as only_published (app/evidence/publication.py) keeps them from the frames.
PUBLISHED_ROWS = {
    "claims": f"c.status IN {_PUBLISHED_SQL}",
    "claim_aspects": f"c.status IN {_PUBLISHED_SQL}",
    "claim_questions": f"c.status IN {_PUBLISHED_SQL}",
    "results": f"c.status IN {_PUBLISHED_SQL}",
    "critiques": f"t.status IN {_PUBLISHED_SQL} AND (k.critic_claim_id IS NULL OR cc.status IN {_PUBLISHED_SQL})",
}


def published_first() -> list[dict[str, str]]:
    """The whole read in two stages: first every frame of the published view (the small frames whole), then the
    rest of the rows. Each frame is the union of its stages. `{only}` stays where a read narrows the query."""

    def narrowed(name: str, clause: str) -> str:
        return QUERIES[name].replace("{only}", f"AND {clause} {{only}}")

    published = {
        name: narrowed(name, PUBLISHED_ROWS[name]) if name in PUBLISHED_ROWS else QUERIES[name] for name in QUERIES
    }
    return [published, {name: narrowed(name, f"NOT ({clause})") for name, clause in PUBLISHED_ROWS.items()}]
