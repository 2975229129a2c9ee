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
from schemathesis.generation import GenerationMode
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
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=config, headers=admin_headers)


schema = schemathesis.pytest.from_fixture("api_schema")

# Numeric bounds the server enforces: a 422 of one of these to input the schema allows means the OpenAPI
# document is looser than the server (a minimum left out, numeric text that escapes the number's bounds).
BOUND_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


@schemathesis.check
def schema_states_the_numeric_bounds(ctx, response, case):
    """Input valid by the schema is not refused for a numeric bound the schema could have stated."""
    if response.status_code != 422 or case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return None
    errors = (response.json() or {}).get("errors") or []
    loose = [f"{e.get('in')}:{e.get('field')}: {e.get('message')}" for e in errors if e.get("type") in BOUND_ERRORS]
    if loose:
        raise AssertionError(f"the schema allows what the server refuses: {loose[:3]}")
    return None


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_openapi(case, admin_headers):
    # /lookup answers 503 by design here: the test settings turn the lookups (Crossref, arXiv) off.
    excluded = [not_a_server_error, positive_data_acceptance] if case.path == "/api/v1/lookup" else None
    case.call_and_validate(headers=admin_headers, excluded_checks=excluded)


STEPS = int(os.environ.get("CEILING_FUZZ_STEPS", "6"))


def test_api_workflows_hold_across_calls(api_schema, admin_headers):
    """The stateful phase: sequences of calls linked by what one answer gives the next (schemathesis infers the
    links from the schema: a created row's id is read, replaced, patched, deleted, restored and its history
    listed), every check on every step. `make fuzz` runs more scenarios (CEILING_FUZZ_EXAMPLES) and longer
    ones (CEILING_FUZZ_STEPS)."""
    workflow = api_schema.as_state_machine()
    assert api_schema.statistic.transitions.total > 50  # the links that make the calls a workflow were found

    class Calls(workflow):
        def get_call_kwargs(self, case):
            return {"headers": admin_headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            if case.path == "/api/v1/lookup":  # 503 by design here (lookups are off in the test settings)
                return None
            return super().validate_response(response, case, additional_checks, **kwargs)

    Calls.run(
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
    )
