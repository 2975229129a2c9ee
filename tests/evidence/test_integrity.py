"""Integrity lives in the database too: CHECK constraints, foreign keys and unique keys refuse bad rows
even when they bypass the Python validation."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

BAD_STATEMENTS = {
    "unknown source kind": "UPDATE source SET kind = 'tweet' WHERE id = (SELECT min(id) FROM source)",
    "confidence above one": "UPDATE claim SET confidence = 1.5 WHERE id = (SELECT min(id) FROM claim)",
    "unknown stance": "UPDATE claim SET stance = 'maybe' WHERE id = (SELECT min(id) FROM claim)",
    "negative parameter count": (
        "UPDATE result SET params = -1 WHERE id = (SELECT min(id) FROM result WHERE params IS NOT NULL)"
    ),
    "range upside down": (
        "UPDATE result SET params_low = 1e12, params_high = 1e9 WHERE id = (SELECT min(id) FROM result)"
    ),
    "undisclosed size with a point": (
        "UPDATE result SET params = 5e9 WHERE id = (SELECT min(id) FROM result WHERE params_basis = 'undisclosed')"
    ),
    "severity above one": "UPDATE critique SET severity = 2 WHERE id = (SELECT min(id) FROM critique)",
    "critique without a critic": (
        "UPDATE critique SET critic_source_id = NULL, critic_claim_id = NULL WHERE id = (SELECT min(id) FROM critique)"
    ),
    "claim of a missing source": "UPDATE claim SET source_id = 999999 WHERE id = (SELECT min(id) FROM claim)",
    "result of a missing claim": "UPDATE result SET claim_id = 999999 WHERE id = (SELECT min(id) FROM result)",
    "duplicate claim key": "UPDATE claim SET key = (SELECT max(key) FROM claim) WHERE id = (SELECT min(id) FROM claim)",
    "unknown aspect link": (
        "INSERT INTO claim_aspect (claim_id, aspect_key) VALUES ((SELECT min(id) FROM claim), 'vibes')"
    ),
}


@pytest.mark.parametrize("case", list(BAD_STATEMENTS))
def test_database_refuses_rows_that_break_the_rules(case, seeded_url, engine_for):
    engine = engine_for(seeded_url)
    with engine.connect() as connection, pytest.raises(IntegrityError):
        connection.execute(text(BAD_STATEMENTS[case]))
        connection.commit()
