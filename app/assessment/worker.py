"""The assessment worker: the one process of a deployment that holds the evidence and runs the engine.

With CEILING_ASSESSMENT_WORKER=external, web processes never read the engine's input: they read the shared
cache (app/assessment/cache.py) and wait for it. `ceiling worker` runs `serve_forever`: every
CEILING_ASSESSMENT_POLL_S it reads the store's data version (a few small queries) and, when the shared
cache has no assessment of it, assesses it, revising the evidence it holds from the revision log (a write
costs the rows it changed: app/evidence/export/live.py). Every committed write records a revision, so the
revision log is the queue: a save through any process, API, form, import or command, is assessed within
one poll and one engine run. docs/performance.md argues the choice with the memory figures.

The embedded default (in_process) runs the same computation in the web process instead
(app/assessment/live.py refresh_in_background).
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine
from sqlmodel import Session

from app.assessment import live
from app.config import Settings

log = logging.getLogger("ceiling.worker")


def work_once(engine: Engine, settings: Settings) -> int:
    """Assess every view whose current data version the shared cache lacks; returns how many were assessed."""
    assessed = 0
    for with_drafts in live.views(settings):
        with Session(engine) as session:
            if live.cached_assessment(session, settings, with_drafts) is None:
                live.compute_current(session, settings, with_drafts=with_drafts)
                assessed += 1
    return assessed


def serve_forever(engine: Engine, settings: Settings, stop: threading.Event | None = None) -> None:
    """Poll and assess until `stop` is set (Ctrl-C stops the command); a failed run is logged and retried."""
    stop = stop or threading.Event()
    try:
        live.warm(engine, settings)  # the next save costs the rows it changed, even when the cache was current
    except Exception:
        log.exception("could not load the evidence at start; the first poll retries")
    while not stop.is_set():
        try:
            if work_once(engine, settings):
                log.info("assessed the new evidence")
        except Exception:  # a broken write or a lost database must not end the worker
            log.exception("assessment failed; retrying at the next poll")
        stop.wait(settings.assessment_poll_s)
