"""The assessment of the live evidence: the store's frames through the pure engine, cached.

The API, the pages, the CLI and the report builder all get the current assessment from here, so
they never disagree. Two caches: by the store's data version (cheap to read: every tracked write
adds a revision), which skips loading the evidence at all between writes; and by the engine's input
fingerprint (evidence and settings), which skips the engine when the evidence came back the same.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlmodel import Session

from app.config import Settings, get_settings
from app.evidence.export import evidence_frames
from app.evidence.publication import only_published
from app.evidence.stats import data_version
from app.scoring import Assessment, Evidence, ScoringSettings, assess
from app.scoring.ceiling import format_params
from app.scoring.inputs import fingerprint

_CACHE_SIZE = 4
_cache: OrderedDict[str, Assessment] = OrderedDict()
_by_version: OrderedDict[tuple[str, str, str, bool], Assessment] = OrderedDict()
_lock = threading.Lock()


def _remember(cache: OrderedDict, key, assessment: Assessment) -> None:
    with _lock:
        cache[key] = assessment
        while len(cache) > _CACHE_SIZE:
            cache.popitem(last=False)


def scoring_settings(settings: Settings | None = None) -> ScoringSettings:
    return ScoringSettings.model_validate((settings or get_settings()).scoring)


def load_evidence(session: Session, reviewed_only: bool = False) -> Evidence:
    """The engine's input; reviewed_only leaves out drafts, claims in review and rejected ones."""
    frames = evidence_frames(session.connection())
    return Evidence(**(only_published(frames) if reviewed_only else frames))


def weighs_reviewed_only(settings: Settings | None = None, with_drafts: bool = False) -> bool:
    """Whether an assessment leaves drafts out: CEILING_PUBLISH_REVIEWED_ONLY, unless an analyst asks for drafts."""
    return (settings or get_settings()).publish_reviewed_only and not with_drafts


def assess_cached(evidence: Evidence, scoring: ScoringSettings) -> Assessment:
    """The engine's assessment of the evidence, reused when the same input fingerprint was assessed lately."""
    key = fingerprint(evidence, scoring.model_dump_json())
    with _lock:
        assessment = _cache.get(key)
    if assessment is None:
        assessment = assess(evidence, scoring)
        _remember(_cache, key, assessment)
    return assessment


def current_assessment(
    session: Session, settings: Settings | None = None, *, uncommitted: bool = False, with_drafts: bool = False
) -> Assessment:
    """The assessment of the evidence as the session sees it; recomputed only when the evidence changed.

    Pass uncommitted=True when the session holds writes not yet committed: their data version could
    come back after a rollback holding other evidence, so it must not be trusted as a cache key.
    with_drafts=True weighs every claim even when CEILING_PUBLISH_REVIEWED_ONLY is on (analysts' view).
    """
    scoring = scoring_settings(settings)
    settings_json = scoring.model_dump_json()
    reviewed_only = weighs_reviewed_only(settings, with_drafts)
    version_key = None
    if not uncommitted:
        version_key = (str(session.get_bind().url), data_version(session), settings_json, reviewed_only)
        with _lock:
            if version_key in _by_version:
                _by_version.move_to_end(version_key)
                return _by_version[version_key]
    assessment = assess_cached(load_evidence(session, reviewed_only), scoring)
    if version_key is not None:
        _remember(_by_version, version_key, assessment)
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
