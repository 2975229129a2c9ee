"""Helpers for the scoring tests: Evidence from plain lists of dicts (see app/scoring/records.py)."""

from __future__ import annotations

import pytest

from app.scoring.records import build_evidence

__all__ = ["build_evidence"]


@pytest.fixture
def evidence_from():
    """The build_evidence helper: sources, claims (with 'aspects'), results, critiques as dicts."""
    return build_evidence
