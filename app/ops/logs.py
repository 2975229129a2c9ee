"""Structured logs: one JSON object a line, each carrying the id of the request it belongs to.

The request id comes from the client's X-Request-ID header when it is a plain token (letters, digits,
`.`, `_`, `-`, at most 64), otherwise a new random one; it is sent back in X-Request-ID, so a user's
report of a failure can be found in the logs of whichever replica served it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "color_message"}


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, request_id, the record's extra fields, and the stack trace if any."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id.get()
        if rid is not None:
            payload["request_id"] = rid
        payload.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str, ensure_ascii=False)


NOISY_AT_INFO = ("apscheduler.scheduler", "apscheduler.executors.default", "alembic.runtime.plugins")


def configure(level: str, fmt: str) -> None:
    """Send every logger (uvicorn's included) to stderr, as JSON lines or as plain text."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # APScheduler tells of every job it adds and every run (two lines every 10 s for the webhook deliveries):
    # debug detail, shown when the level is DEBUG; its warnings and errors (a missed run) always show.
    quiet = logging.DEBUG if level.upper() == "DEBUG" else logging.WARNING
    for name in NOISY_AT_INFO:
        logging.getLogger(name).setLevel(quiet)
