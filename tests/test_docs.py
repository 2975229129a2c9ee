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
