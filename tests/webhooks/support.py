"""A scripted webhook receiver on 127.0.0.1, and helpers to subscribe, publish and read the delivery log."""

from __future__ import annotations

import http.server
import threading
import time

from sqlmodel import Session, select

from app.db.engine import get_engine
from app.db.session import session_scope
from app.webhooks import service
from app.webhooks.events import enqueue_publication
from app.webhooks.models import WebhookAttempt

DIFF = {
    "lines": ["features ceiling: 1B -> 3B"],
    "ceilings": [{"aspect": "features", "before": "1B", "after": "3B", "shift_decades": 0.48, "responsible": ["x"]}],
    "bands": [],
    "confidence": [{"aspect": "circuits", "before": "low", "after": "moderate", "responsible": ["y"]}],
}
SNAPSHOT = {"id": 7, "fingerprint": "f" * 64, "created_at": "2026-12-03 14:00 UTC"}


class Receiver:
    """An HTTP receiver that answers each request with the next scripted behaviour: a status, 'hang', or
    ("redirect", url)."""

    def __init__(self, script: list):
        self.script, self.requests = list(script), []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server interface
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                action = receiver.script.pop(0) if receiver.script else 200
                if action == "hang":
                    time.sleep(1.5)
                    action = 200
                try:
                    if isinstance(action, tuple):
                        self.send_response(307)
                        self.send_header("Location", action[1])
                    else:
                        self.send_response(action)
                    self.end_headers()
                except OSError:
                    pass  # the worker gave up waiting

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def subscribe(settings, url: str, events: list[str], threshold: float = 0.5) -> str:
    """Register a receiver as an admin would (the address checked by the settings); returns its secret."""
    with session_scope(get_engine(settings.database_url)) as session:
        return service.create(session, url, events, "test", threshold, allow_loopback=settings.webhook_allow_loopback)[
            1
        ]


def publish(settings, snapshot=SNAPSHOT, diff=DIFF) -> None:
    with session_scope(get_engine(settings.database_url)) as session:
        enqueue_publication(session, snapshot, 6, diff, "https://ceiling.example")


def attempts(settings) -> list[tuple[int | None, str | None]]:
    with Session(get_engine(settings.database_url)) as session:
        return [(a.status_code, a.error) for a in session.exec(select(WebhookAttempt).order_by(WebhookAttempt.id))]
