"""The `ceiling` command as a user runs it: first sign-in, users and tokens, and clear seed errors."""

from __future__ import annotations

import re
import shutil

import pytest
import yaml
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.auth import service
from app.auth.models import ApiToken, User
from app.cli import cli
from app.config import get_settings
from tests.conftest import SEED_DIR


@pytest.fixture
def run(monkeypatch):
    """Invoke `ceiling ...` against a given database URL."""

    def invoke(url: str, *args: str, input: str | None = None):
        monkeypatch.setenv("CEILING_DATABASE_URL", url)
        get_settings.cache_clear()
        return CliRunner().invoke(cli, list(args), input=input)

    yield invoke
    get_settings.cache_clear()


def test_first_sign_in_creates_an_admin_once_and_prints_a_working_password(run, databases, engine_for):
    url = databases.fresh("sqlite", seeded=False)
    first = run(url, "users", "bootstrap")
    assert first.exit_code == 0, first.output
    password = re.search(r"password (\S+)", first.output).group(1)
    with Session(engine_for(url)) as session:
        assert service.authenticate(session, "admin", password).role == "admin"
    again = run(url, "users", "bootstrap")
    assert again.exit_code == 0 and "no admin created" in again.output


def test_users_and_tokens_from_the_command_line(run, databases, engine_for):
    url = databases.fresh("sqlite", seeded=False)
    created = run(url, "users", "create", "ada", "--role", "analyst", input="correct horse battery\n" * 2)
    assert created.exit_code == 0, created.output
    short = run(url, "users", "create", "bob", input="short\nshort\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    token = run(url, "tokens", "create", "ada", "--scope", "write", "--name", "dashboard")
    assert token.exit_code == 0
    plain = token.output.strip().splitlines()[-1]
    with Session(engine_for(url)) as session:
        stored = session.exec(select(ApiToken)).one()
        assert plain.startswith("ceil_") and plain not in stored.token_hash
        assert service.user_for_token(session, plain)[0].username == "ada"
    assert run(url, "tokens", "revoke", str(stored.id)).exit_code == 0
    with Session(engine_for(url)) as session:
        assert service.user_for_token(session, plain) is None
        assert session.exec(select(User.username)).all() == ["ada"]
    assert "no user" in run(url, "tokens", "create", "nobody").output


def test_a_bad_seed_file_is_named_with_its_line_and_the_command_fails(run, databases, tmp_path):
    url = databases.fresh("sqlite", seeded=False)
    folder = tmp_path / "seed"
    shutil.copytree(SEED_DIR, folder)
    claims = yaml.safe_load((folder / "claims.yaml").read_text())
    claims["claims"][3]["confidence"] = 7
    (folder / "claims.yaml").write_text(yaml.safe_dump(claims, sort_keys=False, allow_unicode=True))
    result = run(url, "seed", "--dir", str(folder))
    assert result.exit_code == 1
    assert re.search(
        rf"{re.escape(str(folder / 'claims.yaml'))}:\d+: claim '{claims['claims'][3]['key']}'", result.output
    )
    assert "nothing written" in result.output
    assert "Traceback" not in result.output
