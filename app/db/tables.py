"""Imports every table module, so that `metadata` is complete for Alembic and for tests."""

from app.assessment import cache as assessment_cache_models  # noqa: F401
from app.auth import models as auth_models  # noqa: F401
from app.db.engine import metadata
from app.evidence import logs as evidence_logs  # noqa: F401
from app.evidence import models as evidence_models  # noqa: F401
from app.evidence import review_models  # noqa: F401
from app.reports import models as report_models  # noqa: F401
from app.webhooks import models as webhook_models  # noqa: F401

__all__ = ["metadata"]
