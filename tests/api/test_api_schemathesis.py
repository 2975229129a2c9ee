"""Schemathesis 4 over the whole OpenAPI 3.1 schema with a write token and every check: no server error, no
response outside its documented schema. A few examples per operation here; `make fuzz` runs many more
(CEILING_FUZZ_EXAMPLES). Reads need a token here (public_reads off), so the authentication checks mean
something on every operation; settings of the checks are in schemathesis.toml."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.main import create_app
from tests.api.conftest import add_tokens
from tests.conftest import make_settings

EXAMPLES = int(os.environ.get("CEILING_FUZZ_EXAMPLES", "3"))
FULL = "CEILING_FUZZ_EXAMPLES" in os.environ  # `make fuzz`: also the coverage phase (every boundary and negation)


@pytest.fixture
def admin_headers(sqlite_seeded_url, engine_for) -> dict[str, str]:
    return add_tokens(sqlite_seeded_url, engine_for).admin


@pytest.fixture
def api_schema(sqlite_seeded_url, tmp_path, admin_headers):
    app = create_app(make_settings(sqlite_seeded_url, tmp_path, public_reads=False))
    config = schemathesis.Config.discover()  # schemathesis.toml
    config.projects.default.phases.coverage.enabled = FULL
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_openapi(case, admin_headers):
    # /lookup answers 503 by design here: the test settings turn the lookups (Crossref, arXiv) off.
    excluded = [not_a_server_error, positive_data_acceptance] if case.path == "/api/v1/lookup" else None
    case.call_and_validate(headers=admin_headers, excluded_checks=excluded)
