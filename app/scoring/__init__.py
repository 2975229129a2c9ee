"""The scoring engine: evidence frames in, one typed Assessment out (no database, no web)."""

from app.scoring.assessment import assess
from app.scoring.inputs import Evidence, EvidenceError
from app.scoring.schema import Assessment
from app.scoring.settings import ScoringSettings

__all__ = ["Assessment", "Evidence", "EvidenceError", "ScoringSettings", "assess"]
