"""The export as a test reads it: the committed evidence's frames, patched from the last export by the revision log."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection

from app.evidence.export.frames import public
from app.evidence.export.live import patched_export


def live_frames(connection: Connection) -> dict[str, pd.DataFrame]:
    """The frames of the committed evidence, patched from the last export by the revision log."""
    return public(patched_export(connection).frames)
