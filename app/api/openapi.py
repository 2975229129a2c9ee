"""The OpenAPI document as the API really behaves: request bodies accept numbers also as numeric text,
and every error under /api/ is documented as problem+json (the one error format the API answers with).

Bodies are validated by pydantic in its lax mode, which reads "2.6e9" as 2.6e9 (the seed's YAML and
the importers rely on it). The generated schema says only `number`, so a client or a fuzzer following
it would call such a request invalid although the API accepts it; here every number reachable from a
request body is documented as `number` or numeric `string`.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request

from app.api.examples import add_code_samples

NUMERIC_TEXT = r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$"
# A number above zero as text: no sign but +, a nonzero digit in the mantissa, a modest exponent (no underflow).
POSITIVE_TEXT = r"^\s*\+?(\d*[1-9]\d*(\.\d*)?|\d*\.\d*[1-9]\d*)([eE][-+]?\d{1,2})?\s*$"


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[-1]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


def _numeric_text_for(node: dict) -> str | None:
    """The pattern of the numeric text the server takes for this number, exactly as bounded as the number; None
    where a pattern cannot state the bounds (the schema then says `number` only: stricter, never looser)."""
    bounds = {key: node[key] for key in BOUNDS if key in node}
    if not bounds:
        return NUMERIC_TEXT
    if bounds == {"exclusiveMinimum": 0}:
        return POSITIVE_TEXT
    return None


def _accept_numeric_text(node: Any) -> Any:
    if isinstance(node, dict):
        if node.get("type") == "number":
            pattern = _numeric_text_for(node)
            return {"anyOf": [node, {"type": "string", "pattern": pattern}]} if pattern else node
        return {key: _accept_numeric_text(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_accept_numeric_text(value) for value in node]
    return node


PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _document_problems(document: dict[str, Any]) -> None:
    """Every 4xx/5xx of an /api/ operation answers problem+json, and one with inputs may answer 422."""
    for path, operations in document.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            if (operation.get("parameters") or operation.get("requestBody")) and "422" not in responses:
                responses["422"] = {"description": "Unprocessable Content"}
            for status, response in responses.items():
                if status[0] in "45":
                    response["content"] = {**response.get("content", {}), **PROBLEM}


def _query_lists_take_one_value(document: dict[str, Any]) -> None:
    """A repeatable query parameter (`?key=a&key=b`) also takes a single value (`?key=a`): on the wire the two
    cannot be told apart, so the schema says either."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                schema = parameter.get("schema", {})
                options = schema.get("anyOf", [schema])
                lists = [o for o in options if o.get("type") == "array" and isinstance(o.get("items"), dict)]
                if parameter.get("in") == "query" and lists and lists[0]["items"] not in options:
                    schema["anyOf"] = [*options, lists[0]["items"]]
                    schema.pop("type", None), schema.pop("items", None)


def path_item(request: Request) -> dict[str, Any]:
    """The OpenAPI path item (operations by method) whose template the request's path matches; {} if none."""
    app = request.app
    if not hasattr(app.state, "openapi_paths"):
        # literal segments before parameters: /webhooks/deliveries is not /webhooks/{subscription_id}
        items = sorted(app.openapi().get("paths", {}).items(), key=lambda p: p[0].count("{"))
        app.state.openapi_paths = [
            (re.compile(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"), item)
            for template, item in items
        ]
    return next((item for pattern, item in app.state.openapi_paths if pattern.match(request.url.path)), {})


def install(app: FastAPI) -> None:
    """Replace app.openapi with the generated document, request-body numbers widened as above."""

    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            schemas = document.get("components", {}).get("schemas", {})
            bodies = [op.get("requestBody", {}) for path in document.get("paths", {}).values() for op in path.values()]
            pending, seen = set().union(*(_refs(body) for body in bodies)), set()
            while pending:
                name = pending.pop()
                if name in seen or name not in schemas:
                    continue
                seen.add(name)
                pending |= _refs(schemas[name])
            for name in seen:
                schemas[name] = _accept_numeric_text(schemas[name])
            if "Problem" in schemas:
                _document_problems(document)
            _query_lists_take_one_value(document)
            add_code_samples(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi
