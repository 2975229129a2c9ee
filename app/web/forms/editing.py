"""Pieces shared by the three edit forms (source, claim, critique): derived keys, conflict tables, the last writer
of a row, and the delete and restore handlers."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session, SQLModel

from app.evidence.errors import EvidenceError, NotAllowed
from app.evidence.history import history
from app.evidence.schemas.common import normalize_title
from app.evidence.services.common import RESTORER, by_key
from app.web.movement import write_and_describe
from app.web.render import announce, flash
from app.web.signin import Forbidden


def slug(text: str, words: int = 5) -> str:
    """A key-safe slug of the first words of a text."""
    parts = normalize_title(text).split()[:words]
    return re.sub(r"-+", "-", "-".join(parts))[:60].strip("-") or "item"


def free_key(session: Session, model: type[SQLModel], base: str) -> str:
    """`base`, or `base-2`, `base-3`... whichever no row of the model holds yet."""
    base = base[:110]
    candidate, n = base, 1
    while by_key(session, model, candidate) is not None:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def conflict_rows(labels: dict[str, str], theirs: dict[str, str], yours: dict[str, str]) -> list[dict]:
    """Field by field, the saved version (theirs) next to the one just submitted (yours)."""
    rows = []
    for name, label in labels.items():
        a, b = (theirs.get(name) or "").strip(), (yours.get(name) or "").strip()
        rows.append({"label": label, "theirs": a, "yours": b, "differs": a != b})
    return rows


def conflict_view(session: Session, kind: str, current, labels: dict[str, str], theirs: dict, yours: dict) -> dict:
    """What the conflict panel shows: who saved meanwhile, their version, and the fields side by side."""
    return {
        "who": last_writer(session, kind, current.id),
        "version": current.version,
        "rows": conflict_rows(labels, theirs, yours),
    }


def last_writer(session: Session, kind: str, entity_id: int) -> str:
    """Who wrote the row last, for the conflict message."""
    revisions = history(session, kind, entity_id)
    return revisions[-1].actor if revisions else "someone"


def delete_or_restore(request: Request, session: Session, write: Callable[[], object], done: str, back: str):
    """Run a form's delete or restore, say how it moved the assessment, and go back to the row's page; a refused
    write (a source with live claims, a claim whose source is deleted) is flashed with its reason instead."""
    try:
        write_and_describe(request, session, write)
    except NotAllowed:
        raise Forbidden(RESTORER) from None
    except EvidenceError as error:
        session.rollback()
        flash(request, error.message, "error")
        return RedirectResponse(back, status_code=303)
    announce(request, done)
    return RedirectResponse(back, status_code=303)
