"""Imports every table module, so that `metadata` is complete for Alembic, backups and tests."""

from app.assessment import cache as assessment_cache_tables  # noqa: F401
from app.auth import models as auth_tables  # noqa: F401
from app.db.engine import metadata
from app.evidence import models as evidence_tables  # noqa: F401
from app.evidence.interchange import pending as pending_import_tables  # noqa: F401
from app.reports import models as report_tables  # noqa: F401
from app.webhooks import models as webhook_tables  # noqa: F401

__all__ = ["metadata"]
