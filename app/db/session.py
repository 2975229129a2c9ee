"""Sessions: one unit of work (commit on success, roll back on any error) for the CLI, the scheduler and
every request, and the two request dependencies both adapters share (the session and the settings).

A session's `info` carries what its reader may see: with CEILING_PUBLISH_REVIEWED_ONLY on, a request's session
shows published claims only until the caller is known to be an analyst or above (the pages' load_user and
the API's caller open it; app/evidence/services/visibility.py reads the flag).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlmodel import Session

from app.config import Settings

PUBLISHED_ONLY = "ceiling.published_only"


@contextmanager
def session_scope(engine: Engine, *, published_only: bool = False) -> Iterator[Session]:
    """A unit of work: commit on success, roll back on any error."""
    with Session(engine, info={PUBLISHED_ONLY: published_only}) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; the request boundary commits, services only flush."""
    with session_scope(
        request.app.state.engine, published_only=request.app.state.settings.publish_reviewed_only
    ) as session:
        yield session


# scope="function": the commit happens before the response is sent, so a client that gets 201 (or
# follows a redirect) finds the row, and a failed commit becomes an error response, not a lost write.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
