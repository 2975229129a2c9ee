"""Each aspect's ceiling and its 90% interval over time, from the published snapshots and from as-of points,
with every jump annotated with the evidence responsible (the diff between the two points names it).

Both kinds of point carry an assessment and the evidence a report captures, so jumps between any two
consecutive points come from the same diff as the report's changes section (app/reports/diff.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from app.assessment.asof import as_of, checked_instant
from app.assessment.cache import ScoringSettingsRecord
from app.assessment.live import AssessmentPending, scoring_settings, weighs_reviewed_only
from app.config import Settings
from app.evidence.export.asof import as_utc
from app.evidence.models import GradeOverrideRevision, Result, Revision
from app.evidence.version import data_version
from app.reports.capture import capture_evidence
from app.reports.diff import diff_documents
from app.reports.models import ReportSnapshot, SnapshotStatus

log = logging.getLogger("ceiling.trajectory")
CSV = "text/csv; charset=utf-8"
MAX_SNAPSHOTS = 200
MAX_AS_OF_POINTS = 12
CSV_COLUMNS = ("aspect_key", "at", "kind", "snapshot_id", "state", "params", "params_low", "params_high",
               "confidence", "jump_shift_decades", "jump_responsible")  # fmt: skip


@dataclass(frozen=True)
class Point:
    at: dt.datetime
    kind: str  # "snapshot" or "as_of"
    snapshot_id: int | None
    parts: dict[str, Any]  # {"assessment": ..., "evidence": ...}


def snapshot_points(session: Session, until_id: int | None = None) -> list[Point]:
    """The published snapshots (up to `until_id`), oldest first; the last MAX_SNAPSHOTS of them."""
    query = select(ReportSnapshot).where(ReportSnapshot.status == SnapshotStatus.published)
    if until_id is not None:
        query = query.where(ReportSnapshot.id <= until_id)
    rows = list(session.exec(query.order_by(col(ReportSnapshot.id).desc()).limit(MAX_SNAPSHOTS)))
    return [
        Point(
            as_utc(r.created_at),
            "snapshot",
            r.id,
            {"assessment": json.loads(r.assessment_json), "evidence": json.loads(r.evidence_json)},
        )  # fmt: skip
        for r in reversed(rows)
    ]


def as_of_key(session: Session, instant: dt.datetime, settings: Settings, reviewed_only: bool | None = None) -> tuple:
    """What an as-of point depends on (state_at), with how it is weighed (as published, unless told), cited and
    scored."""
    reviewed_only = weighs_reviewed_only(settings) if reviewed_only is None else reviewed_only
    return (state_at(session, as_utc(instant)), reviewed_only, settings.citation_style, scoring_key(settings))


def as_of_point(session: Session, instant: dt.datetime, settings: Settings, reviewed_only: bool | None = None) -> Point:
    """The assessment at an instant, weighed as the published reports are (reviewed claims only when set), or
    as `reviewed_only` says (an analyst's view with drafts).

    Expensive (the store rebuilt as it stood, then the engine), so bounded three times: the parts are cached by
    what they depend on (state_at: the store's version and the last revisions at or before the instant), so
    every instant between the same two writes is one computation; one as-of rebuild runs at a time in a
    process, so an anonymous reader asking for many points uses one core, not all (docs/security.md); and on
    a large store a request never waits for one (`trajectory` queues it)."""
    reviewed_only = weighs_reviewed_only(settings) if reviewed_only is None else reviewed_only
    instant = as_utc(instant)
    key = as_of_key(session, instant, settings, reviewed_only)
    with _AS_OF_LANE:
        parts = _PARTS.get(key)
        if parts is None:
            with as_of(session, instant, settings, reviewed_only) as (answer, then):
                evidence = capture_evidence(then, settings.citation_style, reviewed_only, agreement=False)
                parts = {"assessment": answer.assessment.model_dump(mode="json"), "evidence": evidence}
            _remember(key, parts)
    return Point(instant, "as_of", None, parts)


_AS_OF_LANE = threading.Lock()
_PARTS: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
MAX_CACHED_POINTS = 64


def _remember(key: tuple, parts: dict[str, Any]) -> None:
    _PARTS[key] = parts
    while len(_PARTS) > MAX_CACHED_POINTS:
        _PARTS.popitem(last=False)


def state_at(session: Session, instant: dt.datetime) -> tuple:
    """What the store at an instant depends on: its data version now (vocabularies are not in the revision log)
    and the last evidence revision, grade-override revision, settings record and snapshot at or before it."""
    last = [
        session.exec(select(func.max(model.id)).where(when <= instant)).one()
        for model, when in (
            (Revision, Revision.at),
            (GradeOverrideRevision, GradeOverrideRevision.at),
            (ScoringSettingsRecord, ScoringSettingsRecord.at),
            (ReportSnapshot, ReportSnapshot.created_at),  # settings_as_of falls back to a snapshot's settings
        )
    ]
    return (data_version(session), *last)


def scoring_key(settings: Settings) -> str:
    """Today's scoring settings (the fallback for an instant before any record), as JSON."""
    return scoring_settings(settings).model_dump_json()


def evenly_spaced(session: Session, count: int) -> list[dt.datetime]:
    """`count` instants from the first recorded revision to now (none when nothing is recorded)."""
    first = session.exec(select(func.min(Revision.at))).one()
    if first is None or count < 1:
        return []
    start, end = as_utc(first), dt.datetime.now(dt.UTC)
    if count == 1:
        return [end]
    step = (end - start) / (count - 1)
    return [start + step * i for i in range(count)]


def _ceiling(row: dict[str, Any]) -> dict[str, Any]:
    ceiling = row.get("ceiling") or {}
    confidence = row.get("confidence") or {}
    return {
        "state": ceiling.get("state"),
        "params": ceiling.get("params"),
        "params_low": ceiling.get("params_low"),
        "params_high": ceiling.get("params_high"),
        "bound_params": ceiling.get("bound_params"),
        "statement": ceiling.get("statement"),
        "confidence": confidence.get("final") if isinstance(confidence, dict) else confidence,
    }


def series(points: list[Point]) -> dict[str, Any]:
    """Per aspect: its points and its jumps (ceiling moves between consecutive points, with who moved it)."""
    points = sorted(points, key=lambda p: p.at)
    names: dict[str, str] = {}
    for point in points:
        for row in point.parts["assessment"].get("aspects", []):
            names[row["aspect_key"]] = row.get("aspect_name") or row["aspect_key"]
    aspects = {key: {"aspect_key": key, "aspect_name": name, "points": [], "jumps": []} for key, name in names.items()}
    for index, point in enumerate(points):
        at = point.at.strftime("%Y-%m-%dT%H:%M:%SZ")
        for row in point.parts["assessment"].get("aspects", []):
            entry = {"at": at, "kind": point.kind, "snapshot_id": point.snapshot_id, **_ceiling(row)}
            aspects[row["aspect_key"]]["points"].append(entry)
        if index == 0:
            continue
        before = points[index - 1]
        for move in diff_documents(before.parts, point.parts)["ceilings"]:
            if move["aspect"] in aspects:
                jump = {"from": before.at.strftime("%Y-%m-%dT%H:%M:%SZ"), "to": at, **move}
                aspects[move["aspect"]]["jumps"].append(jump)
    return {"points": len(points), "aspects": list(aspects.values())}


def with_point(history: list[Point], point: Point) -> dict[str, Any]:
    """The trajectory a report shows: the published snapshots before it (from `history`), then itself."""
    return series([p for p in history if p.at <= point.at and p.snapshot_id != point.snapshot_id] + [point])


INLINE_AS_OF_RESULTS = 20_000  # above this a store's as-of point takes seconds (about 15 s at 1M): never inline
MAX_QUEUED_POINTS = 8  # as-of computations waiting in a process at once; past it a request queues nothing more
_BACKGROUND = ThreadPoolExecutor(max_workers=1, thread_name_prefix="as-of-points")
_queued: set[tuple] = set()
_QUEUE_LOCK = threading.Lock()


def trajectory(session: Session, settings: Settings, instants: list[dt.datetime] = ()) -> dict[str, Any]:
    """The trajectory from every published snapshot and the as-of points at `instants`.

    On a store of up to INLINE_AS_OF_RESULTS results the points are computed in the request; on a larger one
    each point not yet computed is queued to one background thread and counted in `pending`, so the first
    request answers at once with what is ready and a later one shows the rest (issue 23: a first hit at 1M
    took minutes for six points)."""
    inline = _inline(session)
    points, pending = snapshot_points(session), 0
    for instant in instants[:MAX_AS_OF_POINTS]:
        key = as_of_key(session, instant, settings)
        if inline or key in _PARTS:
            points.append(as_of_point(session, instant, settings))
            continue
        pending += 1
        _queue(session.get_bind(), instant, settings, key)
    return {**series(points), "pending": pending}


def as_of_parts(session: Session, instant: dt.datetime, settings: Settings, reviewed_only: bool) -> dict[str, Any]:
    """The assessment and the evidence (as JSON) at an instant, as the API and the as-of report serve them: from
    the as-of points' cache. On a large store a request never computes them: they are queued like a trajectory's
    point, and AssessmentPending says to ask again (an anonymous reader asking for many instants fills the
    queue, not the cores)."""
    instant = checked_instant(instant)
    key = as_of_key(session, instant, settings, reviewed_only)
    if key in _PARTS or _inline(session):
        return as_of_point(session, instant, settings, reviewed_only).parts
    when = f"{instant:%Y-%m-%dT%H:%M:%SZ}"
    if _queue(session.get_bind(), instant, settings, key, reviewed_only):
        raise AssessmentPending(f"the assessment as of {when} is being computed; try again shortly", 5)
    raise AssessmentPending(f"{MAX_QUEUED_POINTS} as-of assessments are being computed; ask for {when} later", 30)


def _inline(session: Session) -> bool:
    return (session.exec(select(func.max(Result.id))).one() or 0) <= INLINE_AS_OF_RESULTS


def _queue(engine, instant: dt.datetime, settings: Settings, key: tuple, reviewed_only: bool | None = None) -> bool:
    """Queue the point unless it is queued already; False when the queue is full."""
    with _QUEUE_LOCK:  # not the lane: a point being computed holds that for seconds
        if key in _queued:
            return True
        if len(_queued) >= MAX_QUEUED_POINTS:
            return False
        _queued.add(key)

    def compute() -> None:
        try:
            with Session(engine) as session:
                as_of_point(session, instant, settings, reviewed_only)
        except Exception:
            log.exception("as-of point at %s failed", instant.isoformat())
        finally:
            with _QUEUE_LOCK:
                _queued.discard(key)

    _BACKGROUND.submit(compute)
    return True


def wait_for_points(timeout_s: float = 60) -> None:
    """Block until the queued as-of points are computed (for tests and the CLI)."""
    _BACKGROUND.submit(lambda: None).result(timeout=timeout_s)


def trajectory_csv(data: dict[str, Any]) -> str:
    """One row per aspect and point; a point that ends a jump carries its shift and the evidence responsible."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for aspect in data["aspects"]:
        jumps = {j["to"]: j for j in aspect["jumps"]}
        for p in aspect["points"]:
            jump = jumps.get(p["at"], {})
            writer.writerow([aspect["aspect_key"], p["at"], p["kind"], p["snapshot_id"] or "", p["state"],
                             p["params"] or "", p["params_low"] or "", p["params_high"] or "", p["confidence"] or "",
                             "" if jump.get("shift_decades") is None else jump["shift_decades"],
                             "; ".join(jump.get("responsible", []))])  # fmt: skip
    return out.getvalue()
