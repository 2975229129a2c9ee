"""Query and path parameters under /api/ read as strictly as the OpenAPI schema states them.

FastAPI reads parameters leniently where the schema is strict: of `?q=a&q=b` it keeps one value and drops
the other, `?limit=5.0` and `/claims/1.0` are read as the integers 5 and 1, `?include_deleted=yes` as
true. Each is a request the schema calls invalid (a client or fuzzer following the schema expects a 422),
so one app-wide dependency refuses them, reading each operation's parameters from its route: the
same declarations the schema is generated from. Unknown parameters are still ignored.
"""

from __future__ import annotations

import re
from collections import Counter
from types import NoneType, UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

INTEGER_TEXT = re.compile(r"-?\d+")
BOOLEAN_TEXT = {"true", "false"}
Kind = Literal["list", "integer", "boolean", "text"]
_KINDS: dict[int, tuple[Any, dict[tuple[str, str], Kind]]] = {}  # id(route) -> (route, kinds)


def _kind(annotation: Any) -> Kind:
    """How a parameter's value is written: repeated (`list`), or one `integer`, `boolean` or other `text`."""
    options = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (annotation,)
    options = [get_args(o)[0] if get_origin(o) is Annotated else o for o in options if o is not NoneType]
    if any(get_origin(o) in (list, set, tuple) for o in options):
        return "list"
    if options and all(o is bool for o in options):
        return "boolean"
    if options and all(o is int for o in options):
        return "integer"
    return "text"


def parameter_kinds(route: Any) -> dict[tuple[str, str], Kind]:
    """(`query` or `path`, name) -> kind, for every parameter the route and its dependencies declare
    (a `Query()` model counts as its fields); computed once per route."""
    cached = _KINDS.get(id(route))
    if cached is not None and cached[0] is route:
        return cached[1]
    kinds: dict[tuple[str, str], Kind] = {}

    def walk(dependant) -> None:
        for where, fields in (("query", dependant.query_params), ("path", dependant.path_params)):
            for field in fields:
                annotation = field.field_info.annotation
                if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                    for name, inner in annotation.model_fields.items():
                        kinds[(where, inner.alias or name)] = _kind(inner.annotation)
                else:
                    kinds[(where, field.alias)] = _kind(annotation)
        for dependency in dependant.dependencies:
            walk(dependency)

    walk(route.dependant)
    _KINDS[id(route)] = (route, kinds)
    return kinds


def _problem(where: str, name: str, kind: Kind | None, value: str, repeats: int) -> tuple[str, str] | None:
    """(message, type) of what is wrong with one parameter as written, or None."""
    if not name and where == "query":
        return "a query parameter needs a name before its =", "nameless"
    if kind in ("integer", "boolean", "text") and repeats > 1:
        return "takes one value, given more than once", "repeated"
    if kind == "integer" and not INTEGER_TEXT.fullmatch(value):
        return "should be an integer written in digits", "int_parsing"
    if kind == "boolean" and value.lower() not in BOOLEAN_TEXT:
        return "should be true or false", "bool_parsing"
    return None


def check_parameters(request: Request) -> None:
    """422 for a query parameter without a name (`?=1`), one that takes one value given twice, or an
    integer or boolean not written as one; the first problem of each parameter is named."""
    route = request.scope.get("route")
    if not request.url.path.startswith("/api/") or route is None or not hasattr(route, "dependant"):
        return
    kinds = parameter_kinds(route)
    query = request.query_params.multi_items()
    counts = Counter(name for name, _ in query)
    given = [("query", *item) for item in query] + [("path", *item) for item in request.path_params.items()]
    problems: dict[tuple[str, str], tuple[str, str]] = {}
    for where, name, value in given:
        found = _problem(where, name, kinds.get((where, name)), str(value), counts[name] if where == "query" else 1)
        if found is not None:
            problems.setdefault((where, name), found)
    if problems:
        errors = [{"loc": place, "msg": msg, "type": kind} for place, (msg, kind) in problems.items()]
        raise RequestValidationError(errors)
