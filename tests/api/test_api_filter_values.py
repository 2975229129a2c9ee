"""A list filter value outside what the OpenAPI schema states (an empty text, a key outside the key format, a
single-valued parameter given twice, an integer or boolean not written as one) answers 422 naming the
parameter, instead of an empty page that looks like an answer or a value read loosely; the schema states the
constraints the filters enforce."""

from __future__ import annotations

from app.evidence.schemas.common import Key
from tests.api.conftest import API

KEY_PATTERN = Key.__metadata__[0].pattern


REFUSED = [  # (request, the parameter its 422 names)
    ("results?claim=", "claim"),
    ("claims?key=", "key"),
    ("claims?key=karvonen2025&key=Not%20a%20key", "key"),
    ("results?source=", "source"),
    ("critiques?target=UPPER", "target"),
    ("critiques?critic_source=a%20b", "critic_source"),
    ("claims?aspect=", "aspect"),
    ("stats?band=", "band"),
    ("sources?organization=", "organization"),
    ("results?model=", "model"),
    ("claims?q=", "q"),
    ("export/claims?key=", "key"),
    ("export/results?aspect=no-such-aspect", "aspect"),
    ("claims?q=sparse&q=circuits", "q"),
    ("results?limit=5&limit=6", "limit"),
    ("review/queue?aspect=no-such-aspect", "aspect"),
    ("review/queue?aspect=Circuits", "aspect"),
    ("review/queue?kind=review&kind=extract", "kind"),
    ("reports/trajectory?points=1&points=2", "points"),
    ("webhooks/deliveries?=1", ""),  # a parameter without a name, on every router under /api/
    ("results?year_min=2020.0", "year_min"),  # FastAPI alone reads 2020.0 as the integer 2020
    ("reports/trajectory?points=0.0", "points"),
    ("claims?include_deleted=yes", "include_deleted"),  # and yes as true
]
ALLOWED = [
    "claims?key=a&key=b",  # a list filter repeats
    "results?source=true",  # a well-formed key of no source: valid, it matches nothing
    "review/queue?aspect=circuits",
    "export/claims?aspect=circuits&format=csv",
    "claims?include_deleted=false&year_min=2020",
    "claims?unknown=1&unknown=2",  # unknown parameters are ignored, repeated or not
]


def test_a_filter_value_the_schema_refuses_is_a_422_naming_the_parameter(api, tokens):
    for path, parameter in REFUSED:
        response = api.get(f"{API}/{path}", headers=tokens.admin)
        assert response.status_code == 422, (path, response.status_code)
        assert response.headers["content-type"] == "application/problem+json", path
        (error,) = response.json()["errors"]
        assert error["in"] == "query" and error["field"] == parameter, (path, error)


def test_an_id_in_the_path_not_written_in_digits_is_a_422_naming_it(api, tokens):
    assert api.get(f"{API}/claims/1", headers=tokens.admin).status_code == 200
    response = api.get(f"{API}/claims/1.0", headers=tokens.admin)
    assert response.status_code == 422 and response.json()["errors"][0] | {"message": ""} == {
        "in": "path",
        "field": "row_id",
        "message": "",
        "type": "int_parsing",
    }


def test_values_the_schema_allows_are_still_answered(api, tokens):
    for path in ALLOWED:
        assert api.get(f"{API}/{path}", headers=tokens.admin).status_code == 200, path


def test_the_schema_states_the_constraints_the_filters_enforce(api):
    parameters = api.get("/openapi.json").json()["paths"]["/api/v1/results"]["get"]["parameters"]
    schemas = {p["name"]: p["schema"]["anyOf"] for p in parameters if "anyOf" in p["schema"]}
    for name in ("key", "claim", "source", "aspect", "band", "method"):
        assert {"type": "string", "minLength": 1, "maxLength": 120, "pattern": KEY_PATTERN} in schemas[name], name
    for name in ("model", "organization"):
        assert {"type": "string", "minLength": 1, "maxLength": 500} in schemas[name], name
    assert schemas["q"][0] == {"type": "string", "minLength": 1, "maxLength": 500}
