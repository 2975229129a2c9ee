"""The house plan, held against the code (docs/architecture.md): the picture of the packages shows exactly the
arrows the imports draw, no module reaches itself through others, and every route lives in an adapter."""

from __future__ import annotations

import re

import grimp
from fastapi.routing import APIRoute

from app.config import PROJECT_ROOT
from tests.conftest import make_settings

ARCHITECTURE = (PROJECT_ROOT / "docs" / "architecture.md").read_text()
LEFT_OUT = {"config", "text", "ops"}  # used from every floor: the picture leaves them out and says so


def _node(module: str) -> str | None:
    """The node of the picture a module belongs to (None: left out)."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in LEFT_OUT:
        return None
    if parts[1:3] == ["auth", "roles"]:
        return "roles"
    if parts[1] == "db" and len(parts) > 2 and parts[2] in ("tables", "backup"):
        return "tables"
    return parts[1]


def _code_arrows(graph) -> set[tuple[str, str]]:
    arrows = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            pair = (_node(module), _node(imported))
            if None not in pair and pair[0] != pair[1]:
                arrows.add(pair)
    return arrows


def _drawn_arrows() -> set[tuple[str, str]]:
    picture = re.search(r"```mermaid\n(.*?)```", ARCHITECTURE, re.S).group(1)
    return set(re.findall(r"^\s*(\w+) --> (\w+)\s*$", picture, re.M))


def test_the_picture_in_the_docs_draws_exactly_the_arrows_of_the_imports():
    graph = grimp.build_graph("app")
    code, drawn = _code_arrows(graph), _drawn_arrows()
    assert drawn, "docs/architecture.md has no mermaid picture"
    assert {"added in the code": code - drawn, "drawn but gone": drawn - code} == {
        "added in the code": set(),
        "drawn but gone": set(),
    }


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    edges = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_through_other_modules():
    assert _cycles(grimp.build_graph("app")) == []


def test_a_circle_of_imports_is_found():
    """The check above can fail: a made-up graph with a circle of three is reported."""
    graph = grimp.ImportGraph()
    for importer, imported in (("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")):
        graph.add_import(importer=importer, imported=imported)
    assert _cycles(graph) == [["a", "b", "c"]]


def _routes(routes, prefix: str = ""):
    for route in routes:
        if type(route).__name__ == "_IncludedRouter":
            yield from _routes(route.original_router.routes, prefix + (route.include_context.prefix or ""))
        elif isinstance(route, APIRoute):
            yield prefix + route.path, route


def test_every_route_lives_in_the_api_or_the_web_adapter(tmp_path):
    from app.main import create_app

    app = create_app(make_settings(f"sqlite:///{tmp_path / 'routes.db'}", tmp_path))
    homes = {path: route.endpoint.__module__ for path, route in _routes(app.routes)}
    assert len(homes) > 100
    assert {path: home for path, home in homes.items() if not home.startswith(("app.api.", "app.web."))} == {}
