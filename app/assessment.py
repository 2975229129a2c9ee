"""The assessment of the live evidence: the store's frames through the pure engine, cached by fingerprint.

The API, the pages, the CLI and the report builder all get the current assessment from here, so
they never disagree; the cache key is the engine's input fingerprint (evidence and settings).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlmodel import Session

from app.config import Settings, get_settings
from app.evidence.export import evidence_frames
from app.scoring import Assessment, Evidence, ScoringSettings, assess
from app.scoring.ceiling import format_params
from app.scoring.inputs import fingerprint

_CACHE_SIZE = 4
_cache: OrderedDict[str, Assessment] = OrderedDict()
_lock = threading.Lock()


def scoring_settings(settings: Settings | None = None) -> ScoringSettings:
    return ScoringSettings.model_validate((settings or get_settings()).scoring)


def load_evidence(session: Session) -> Evidence:
    return Evidence(**evidence_frames(session.connection()))


def current_assessment(session: Session, settings: Settings | None = None) -> Assessment:
    """The assessment of the evidence as it is now; recomputed only when the fingerprint changes."""
    evidence = load_evidence(session)
    scoring = scoring_settings(settings)
    key = fingerprint(evidence, scoring.model_dump_json())
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    assessment = assess(evidence, scoring)
    with _lock:
        _cache[key] = assessment
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return assessment


def _ceiling_text(row) -> str:
    ceiling = row.ceiling
    if ceiling.state == "estimated" and ceiling.crossing_log10_params is not None:
        return format_params(ceiling.crossing_log10_params)
    return {"not_reached": "not reached", "insufficient": "insufficient evidence"}.get(ceiling.state, ceiling.state)


def describe_movement(before: Assessment | None, after: Assessment) -> list[str]:
    """What a change of evidence moved, in words ('circuits ceiling 3.1B -> 4.0B'); empty when nothing moved."""
    if before is None or before.fingerprint == after.fingerprint:
        return []
    old_rows = {row.aspect_key: row for row in before.aspects}
    moves = []
    for row in after.aspects:
        old = old_rows.get(row.aspect_key)
        if old is None:
            moves.append(f"{row.aspect_key}: new row, ceiling {_ceiling_text(row)}")
            continue
        if _ceiling_text(old) != _ceiling_text(row):
            moves.append(f"{row.aspect_key} ceiling {_ceiling_text(old)} -> {_ceiling_text(row)}")
        if old.band_ceiling != row.band_ceiling:
            moves.append(f"{row.aspect_key} band ceiling {old.band_ceiling or 'none'} -> {row.band_ceiling or 'none'}")
        was, now = old.confidence.final, row.confidence.final
        if was != now:
            moves.append(f"{row.aspect_key} confidence {was} -> {now}".replace("_", " "))
    old_cells = {(c.aspect_key, c.band_key): c.status for c in before.scale_table}
    for cell in after.scale_table:
        was = old_cells.get((cell.aspect_key, cell.band_key))
        if was is not None and was != cell.status:
            moves.append(f"{cell.aspect_key} at {cell.band_key} scale: {was} -> {cell.status}".replace("_", " "))
    return moves
