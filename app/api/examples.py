"""An example request on every operation of the OpenAPI document: a `curl` command (`x-codeSamples`, which
Redoc shows beside the operation) built from the operation's path, its required parameters and an example body
made from the request schema. The examples run as written against a server on CEILING_PUBLIC_URL
(tests/api/test_api_examples.py runs every GET one)."""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

BASE = "$CEILING"  # the shell variable the examples use for the server's address
PLACEHOLDERS = {"string": "text", "integer": 1, "number": 1.5, "boolean": True}
PATH_EXAMPLES = {"ref": "latest", "a": "latest", "b": "latest", "fmt": "json", "key": "features"}


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    return schema


def example_of(schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> Any:  # noqa: C901 - one case per JSON Schema keyword
    """A value that the schema accepts: its own example or default where it has one, else the simplest."""
    schema = _resolve(schema, components)
    if schema.get("examples"):
        return schema["examples"][0]
    for key in ("example", "default"):
        if schema.get(key) is not None:
            return schema[key]
    if schema.get("enum"):
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        usable = [o for o in options if _resolve(o, components).get("type") != "null"]
        return example_of((usable or options)[0], components, depth)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        required = schema.get("required", [])
        return {
            name: example_of(spec, components, depth + 1)
            for name, spec in schema.get("properties", {}).items()
            if name in required
        }
    if kind == "array":
        return [example_of(schema.get("items", {}), components, depth + 1)] if depth <= 4 else []
    if kind == "string" and schema.get("format") == "date-time":
        return "2026-11-01T12:00:00Z"
    return PLACEHOLDERS.get(kind, "text")


def _path(template: str, parameters: list[dict[str, Any]], components: dict) -> str:
    def fill(match: re.Match) -> str:
        name = match.group(1).split(":")[0]
        spec = next((p for p in parameters if p.get("name") == name and p.get("in") == "path"), {})
        value = spec.get("example", PATH_EXAMPLES.get(name))
        return str(value if value is not None else example_of(spec.get("schema", {}), components))

    return re.sub(r"\{([^}]+)\}", fill, template)


def curl_example(method: str, template: str, operation: dict[str, Any], components: dict) -> str:
    """The curl command of one operation."""
    parameters = operation.get("parameters", [])
    url = BASE + _path(template, parameters, components)
    query = [
        f"{p['name']}={example_of(p.get('schema', {}), components)}"
        for p in parameters
        if p.get("in") == "query" and p.get("required")
    ]
    if query:
        url += "?" + "&".join(query)
    parts = ["curl", "-sS"]
    if method != "get":
        parts += ["-X", method.upper(), "-H", '"Authorization: Bearer $CEILING_TOKEN"']
    if any(p.get("in") == "header" and p.get("name") == "If-Match" for p in parameters):
        parts += ["-H", "'If-Match: \"<version from the ETag>\"'"]
    body = operation.get("requestBody", {}).get("content", {})
    if "application/json" in body:
        sample = example_of(body["application/json"].get("schema", {}), components)
        parts += ["-H", "'Content-Type: application/json'", "-d", shlex.quote(json.dumps(sample))]
    elif "multipart/form-data" in body:
        parts += ["-F", "file=@references.bib"]
    return " ".join([*parts, f'"{url}"'])


def add_code_samples(document: dict[str, Any]) -> None:
    """Give every /api/ operation an `x-codeSamples` curl example."""
    components = document.get("components", {}).get("schemas", {})
    for template, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            if isinstance(operation, dict) and "responses" in operation:
                sample = curl_example(method, template, operation, components)
                operation["x-codeSamples"] = [{"lang": "Shell", "label": "curl", "source": sample}]
