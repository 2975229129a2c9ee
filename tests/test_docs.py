"""Documentation that cannot fall behind: every setting and every CLI command is documented."""

from __future__ import annotations

import re

from typer.main import get_command

from app.cli import cli
from app.config import PROJECT_ROOT, Settings

README = (PROJECT_ROOT / "README.md").read_text()


def test_every_setting_is_documented():
    documented = (PROJECT_ROOT / "docs" / "settings.md").read_text()
    missing = [name for name in Settings.model_fields if f"CEILING_{name.upper()}" not in documented]
    assert missing == []


def test_readme_opens_with_the_two_commands():
    first_screen = "\n".join(README.splitlines()[:40])
    assert "make run" in first_screen and "make test" in first_screen


def _command_paths(command, prefix=""):
    for name, sub in getattr(command, "commands", {}).items():
        path = f"{prefix} {name}".strip()
        if getattr(sub, "commands", None):
            yield from _command_paths(sub, path)
        else:
            yield path


def test_every_cli_command_is_in_the_readme():
    commands = list(_command_paths(get_command(cli)))
    assert "db upgrade" in commands and "seed" in commands
    missing = [c for c in commands if not re.search(rf"`ceiling {re.escape(c)}\b", README)]
    assert missing == []


def _operations(app) -> list[tuple[str, str, str]]:
    """(method, full path, module of the endpoint) of every route of the app."""
    from fastapi.routing import APIRoute

    def walk(routes, prefix=""):
        for route in routes:
            if type(route).__name__ == "_IncludedRouter":
                yield from walk(route.original_router.routes, prefix + (route.include_context.prefix or ""))
            elif isinstance(route, APIRoute):
                for method in sorted(route.methods - {"HEAD"}):
                    yield method, prefix + route.path, route.endpoint.__module__

    return list(walk(app.routes))


def test_every_route_is_documented(tmp_path):
    from app.main import create_app
    from tests.conftest import make_settings

    app = create_app(make_settings(f"sqlite:///{tmp_path / 'docs.db'}", tmp_path))
    api_docs, page_docs = ((PROJECT_ROOT / "docs" / name).read_text() for name in ("api.md", "pages.md"))
    operations = _operations(app)
    assert len(operations) > 100
    missing = [
        f"{method} {path}"
        for method, path, module in operations
        if f"`{method} {path}`" not in (api_docs if module.startswith("app.api.") else page_docs)
    ]
    assert missing == []


def test_every_table_is_documented():
    from app.db.tables import metadata

    documented = (PROJECT_ROOT / "docs" / "data-model.md").read_text()
    missing = [name for name in metadata.tables if f"`{name}`" not in documented and f"**{name}**" not in documented]
    assert missing == []
