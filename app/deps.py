"""Request-scoped dependencies shared by the API and the pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from app.config import Settings
from app.evidence.services import visibility


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; the request boundary commits, services only flush.

    With CEILING_PUBLISH_REVIEWED_ONLY on, the session shows published claims only until the caller is
    known to be an analyst or above (the pages' load_user, the API's caller open it: visibility.py)."""
    with Session(request.app.state.engine) as session:
        visibility.restrict(session, request.app.state.settings.publish_reviewed_only)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


# scope="function": the commit happens before the response is sent, so a client that gets 201 (or
# follows a redirect) finds the row, and a failed commit becomes an error response, not a lost write.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
