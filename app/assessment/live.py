"""The assessment of the live evidence: the store's frames through the pure engine, cached in the database.

The API, the pages, the CLI and the report builder all get the current assessment from here, so
they never disagree. The cache is shared by every process and replica (app/assessment/cache.py):
by the store's data version (cheap to read: every tracked write adds a revision), which skips loading
the evidence at all between writes; and by the engine's input fingerprint (evidence and settings),
which skips the engine when the evidence came back the same. Within a process the parsed Assessment
of a fingerprint is memoised too (a fingerprint always names the same assessment).

After a write commits, `refresh_after_commit` recomputes in a background thread (one per database), so a
save never waits for the engine and the next reader finds the assessment ready.

With CEILING_PUBLISH_REVIEWED_ONLY the assessment weighs reviewed claims only, unless an analyst asks for it
with drafts; the two are cached apart.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor

import pandas as pd
from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app.assessment import cache as assessment_cache
from app.config import Settings, get_settings
from app.evidence.export.frames import evidence_frames, public
from app.evidence.export.live import FIRST_GENERATION, early_published, patched_export
from app.evidence.publication import only_published
from app.evidence.version import data_version, has_pending_writes
from app.ops.metrics import ASSESSMENT_SECONDS
from app.scoring import Assessment, Evidence, ScoringSettings, assess
from app.scoring.delta import Delta, revised
from app.scoring.inputs import EvidenceError, fingerprint
from app.scoring.schema import ENGINE_VERSION

log = logging.getLogger("ceiling.assessment")
_MEMO_SIZE = 4
_parsed: OrderedDict[str, Assessment] = OrderedDict()
_lock = threading.RLock()  # re-entered when a refresh finishes at once and retires its thread
_compute_lock = threading.Lock()  # one engine run at a time per process: a second caller waits and reuses it
_refreshers: dict[str, ThreadPoolExecutor] = {}  # one thread per database: a stuck one never holds up another
_pending: dict[str, Future] = {}
_evidence: dict[tuple[str, bool], tuple[int, Evidence]] = {}  # (database, reviewed only) -> export generation


def scoring_settings(settings: Settings | None = None) -> ScoringSettings:
    return ScoringSettings.model_validate((settings or get_settings()).scoring)


def weighs_reviewed_only(settings: Settings | None = None, with_drafts: bool = False) -> bool:
    """Whether an assessment leaves drafts out: CEILING_PUBLISH_REVIEWED_ONLY, unless an analyst asks for drafts."""
    return (settings or get_settings()).publish_reviewed_only and not with_drafts


def load_evidence(session: Session, reviewed_only: bool = False, *, committed: bool = False) -> Evidence:
    """The evidence the session sees; reviewed_only leaves out drafts, claims in review and rejected ones.

    committed=True reuses the process's last export, patched from the revision log, unless the session has
    flushed writes of its own (they might still be rolled back)."""
    connection = session.connection()
    if committed and not has_pending_writes(session):
        return _committed_evidence(connection, reviewed_only)
    frames = evidence_frames(connection)
    return Evidence(**(only_published(frames) if reviewed_only else frames))


def _merged(patches: list[dict]) -> dict[str, pd.DataFrame | Delta]:
    """The export's patches, oldest first, as one change of the engine's frames (without hidden columns)."""
    out = {}
    for name in {name for patch in patches for name in patch}:
        parts = [patch[name] for patch in patches if name in patch]
        if isinstance(parts[-1], tuple):
            removed, added = (pd.concat([part[i] for part in parts], ignore_index=True) for i in (0, 1))
            out[name] = Delta(*public({"removed": removed, "added": added}).values())
        else:
            out[name] = public({name: parts[-1]})[name]
    return out


def _committed_evidence(connection, reviewed_only: bool) -> Evidence:
    """The committed evidence as Evidence: the process's last one brought up to date from the export's
    patches when it can be (a write costs the rows it changed), else built from the frames. A worker's first
    reviewed-only view is built from the published rows its early read handed over first."""
    key = (str(connection.engine.url), reviewed_only)
    if reviewed_only and (early := early_published(connection)) is not None:
        with _lock:
            held = _evidence.get(key)
        if held is None:  # a second look before the first export (warm, then compute_current) reuses it
            held = (FIRST_GENERATION, Evidence(**public(early)))
            with _lock:
                _evidence.setdefault(key, held)
        return held[1]
    export = patched_export(connection)
    with _lock:
        held = _evidence.get(key)
    evidence = None
    if held is not None and (patches := export.changes_since(held[0], reviewed_only)) is not None:
        try:
            evidence = revised(held[1], _merged(patches)) if patches else held[1]
        except EvidenceError:  # the full build below says what is wrong, or shows the patches were not enough
            log.warning("could not bring the evidence up to date from the export's patches", exc_info=True)
    if evidence is None:
        frames = public(export.frames)
        evidence = Evidence(**(only_published(frames) if reviewed_only else frames))
    with _lock:
        if key not in _evidence or _evidence[key][0] <= export.generation:
            _evidence[key] = (export.generation, evidence)
    return evidence


def _memo(assessment: Assessment) -> Assessment:
    with _lock:
        _parsed[assessment.fingerprint] = assessment
        _parsed.move_to_end(assessment.fingerprint)
        while len(_parsed) > _MEMO_SIZE:
            _parsed.popitem(last=False)
    return assessment


def _by_fingerprint(session: Session, fp: str) -> Assessment | None:
    with _lock:
        if fp in _parsed:
            return _parsed[fp]
    stored = assessment_cache.json_of(session, fp)
    return _memo(Assessment.model_validate_json(stored)) if stored is not None else None


def _keys(session: Session, settings: Settings | None, reviewed_only: bool) -> tuple[ScoringSettings, str, str]:
    scoring = scoring_settings(settings)
    settings_json = scoring.model_dump_json()
    # the engine's version too: a new engine on the same evidence and settings must not be served the old output
    weighed = f"engine {ENGINE_VERSION}|" + settings_json + ("|reviewed-only" if reviewed_only else "")
    return scoring, settings_json, assessment_cache.version_key(data_version(session), weighed)


def version_key(session: Session, settings: Settings | None = None, with_drafts: bool = False) -> str:
    """The shared cache's key for the evidence the session sees now, with the scoring settings."""
    return _keys(session, settings, weighs_reviewed_only(settings, with_drafts))[2]


def assessment_at(session: Session, key: str) -> Assessment | None:
    """The assessment some process computed at this version key, if any (never runs the engine)."""
    fp = assessment_cache.fingerprint_at(session, key)
    return _by_fingerprint(session, fp) if fp is not None else None


def cached_assessment(
    session: Session, settings: Settings | None = None, with_drafts: bool = False
) -> Assessment | None:
    """The assessment at the session's data version if any process has computed it; never runs the engine."""
    return assessment_at(session, version_key(session, settings, with_drafts))


def _store(session: Session, assessment: Assessment, key: str) -> None:
    """Share the assessment with every process, in a short transaction of its own (the caller's may be a read)."""
    bind = session.get_bind()
    if not isinstance(bind, Engine):
        return
    try:
        with Session(bind) as own:
            assessment_cache.store(own, assessment.fingerprint, assessment.model_dump_json(), key)
            own.commit()
    except OperationalError as error:  # busy (another writer, e.g. storing the same fingerprint): a recompute later
        log.warning("assessment not stored in the shared cache: %s", str(error.orig).splitlines()[0])
    except Exception:  # a full disk or a lost database costs a recompute later, never the caller's answer
        log.exception("could not store the assessment in the shared cache")


def assess_cached(evidence: Evidence, scoring: ScoringSettings, session: Session | None = None) -> Assessment:
    """The engine's assessment of the evidence, reused by input fingerprint (from the shared cache when a
    session is given, else from this process's memo); runs the engine once when nobody has it."""
    fp = fingerprint(evidence, scoring.model_dump_json())
    with _compute_lock:
        if session is not None:
            found = _by_fingerprint(session, fp)
        else:
            with _lock:
                found = _parsed.get(fp)
        if found is not None:
            return found
        with ASSESSMENT_SECONDS.time():
            return _memo(assess(evidence, scoring))


class AssessmentPending(RuntimeError):
    """An assessment that is being computed elsewhere (the worker, or the as-of queue): ask again later."""

    def __init__(self, detail: str, retry_after_s: int = 2) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


def held_by_worker(settings: Settings | None = None) -> bool:
    """Whether one `ceiling worker` holds and assesses the evidence, so this process must not."""
    return (settings or get_settings()).assessment_worker == "external"


def _from_worker(session: Session, settings: Settings | None, with_drafts: bool, wait_s: float) -> Assessment:
    """The worker's assessment of the session's data version, waited for up to wait_s (the session's snapshot
    is left between polls, so a version the worker saw later is found when the store moved on meanwhile)."""
    deadline = time.monotonic() + wait_s
    while True:
        found = cached_assessment(session, settings, with_drafts)
        if found is not None:
            return found
        if time.monotonic() >= deadline:
            raise AssessmentPending("the assessment of the current evidence is being computed; try again shortly")
        if not has_pending_writes(session):
            session.rollback()
        time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))


def current_assessment(
    session: Session,
    settings: Settings | None = None,
    *,
    uncommitted: bool = False,
    with_drafts: bool = False,
    wait_s: float | None = None,
) -> Assessment:
    """The assessment of the evidence as the session sees it; recomputed only when the evidence changed.

    Pass uncommitted=True when the session holds writes not yet committed: their data version could
    come back after a rollback holding other evidence, so it is neither trusted nor stored as a cache key.
    with_drafts=True weighs every claim even when CEILING_PUBLISH_REVIEWED_ONLY is on (analysts' view).
    With CEILING_ASSESSMENT_WORKER=external a committed assessment comes from the worker, waited for up to
    wait_s (CEILING_ASSESSMENT_WAIT_S), else AssessmentPending.
    """
    if not uncommitted and held_by_worker(settings):
        wait = (settings or get_settings()).assessment_wait_s if wait_s is None else wait_s
        return _from_worker(session, settings, with_drafts, wait)
    return compute_current(session, settings, uncommitted=uncommitted, with_drafts=with_drafts)


def compute_current(
    session: Session, settings: Settings | None = None, *, uncommitted: bool = False, with_drafts: bool = False
) -> Assessment:
    """current_assessment computed in this process (the worker's and the embedded setup's way)."""
    reviewed_only = weighs_reviewed_only(settings, with_drafts)
    scoring, settings_json, key = _keys(session, settings, reviewed_only)
    if not uncommitted and (hit := cached_assessment(session, settings, with_drafts)) is not None:
        return hit
    evidence = load_evidence(session, reviewed_only, committed=not uncommitted)
    fp = fingerprint(evidence, settings_json)
    with _compute_lock:
        assessment = _by_fingerprint(session, fp)
        computed = assessment is None
        if computed:
            with ASSESSMENT_SECONDS.time():
                assessment = _memo(assess(evidence, scoring))
    if not uncommitted:
        _store(session, assessment, key)
    elif computed:
        _store(session, assessment, None)  # content-addressed: right whatever the transaction's fate
    return assessment


def views(settings: Settings) -> list[bool]:
    """The with_drafts values readers can ask for: the analysts' view too when only reviewed claims are published."""
    return [False, True] if settings.publish_reviewed_only else [False]


def warm(engine: Engine, settings: Settings, *, assessment: bool = True) -> None:
    """Hold the committed evidence of every view and (unless told not to) have its assessment ready. A process
    whose assessment came from the shared cache holds no export, so without this its first save would read
    the whole store (10-30 s at 1M results) instead of the rows the save changed: docs/performance.md."""
    with Session(engine) as session:
        for with_drafts in views(settings):
            load_evidence(session, weighs_reviewed_only(settings, with_drafts), committed=True)
            if assessment:
                compute_current(session, settings, with_drafts=with_drafts)


def refresh(engine: Engine, settings: Settings) -> None:
    """Compute (or find) the assessment of the committed evidence, so the next reader finds it ready."""
    try:
        with Session(engine) as session:
            current_assessment(session, settings)
    except Exception:
        log.exception("background assessment failed")


def refresh_after_commit(session: Session, settings: Settings) -> None:
    """Once the session's transaction commits, recompute in the background (at most one queued per database)."""
    bind = session.get_bind()
    if not isinstance(bind, Engine):
        return

    event.listen(session, "after_commit", lambda _session: refresh_in_background(bind, settings), once=True)


def warm_in_background(engine: Engine, settings: Settings, *, assessment: bool = True) -> None:
    """`warm` in the database's refresh thread (a web process's warm start); nothing when the worker holds
    the evidence."""

    def job() -> None:
        try:
            warm(engine, settings, assessment=assessment)
        except Exception:
            log.exception("warming the evidence failed")

    refresh_in_background(engine, settings, job=job)


def refresh_in_background(engine: Engine, settings: Settings, job=None) -> None:
    """Queue a recompute of the committed evidence (at most one waiting per database: it sees every commit);
    nothing when the worker holds the evidence (it notices the new data version itself)."""
    if held_by_worker(settings):
        return
    url = str(engine.url)
    with _lock:
        queued = _pending.get(url)
        if queued is not None and not queued.running() and not queued.done():
            return
        if url not in _refreshers:
            _refreshers[url] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="assessment-refresh")
        future = _refreshers[url].submit(job or (lambda: refresh(engine, settings)))
        _pending[url] = future
        future.add_done_callback(lambda done: _retire(url, done))


def _retire(url: str, future: Future) -> None:
    """Let a database's refresh thread end once its last queued run is over (tests open hundreds of databases)."""
    with _lock:
        if _pending.get(url) in (None, future):
            _pending.pop(url, None)
            executor = _refreshers.pop(url, None)
            if executor is not None:
                executor.shutdown(wait=False)


def cancel_refresh(engine: Engine) -> None:
    """Drop a recompute still waiting for this database (its app is shutting down)."""
    with _lock:
        queued = _pending.pop(str(engine.url), None)
    if queued is not None:
        queued.cancel()


def wait_for_refresh(timeout_s: float = 30) -> None:
    """Block until queued background recomputes are done (for the movement poll, the CLI and tests)."""
    with _lock:
        futures = list(_pending.values())
    for future in futures:
        try:
            future.result(timeout=timeout_s)
        except Exception:  # cancelled, failed (logged by refresh) or still running after the timeout
            pass
