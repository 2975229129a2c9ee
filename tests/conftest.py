"""Test databases: a migrated (and a migrated + seeded) template per backend and per worker, and a
fresh copy of it for every test that writes, so tests never share state or the development database.

PostgreSQL runs at CEILING_TEST_POSTGRES_URL (default: the local server, user postgres). Where it
does not answer, its tests skip with the reason, except under CI=true, where that is an error.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.config import PROJECT_ROOT, Settings
from app.db.engine import build_engine
from app.db.migrate import upgrade
from app.db.session import session_scope
from app.evidence.seed import load_seed
from tests.support.unavailable import unavailable

SEED_DIR = PROJECT_ROOT / "data" / "seed"
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
PG_URL = os.environ.get("CEILING_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _pg_admin_dsn() -> str:
    return make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_url(name: str) -> str:
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _pg_execute(sql: str) -> None:
    with psycopg.connect(_pg_admin_dsn(), autocommit=True, connect_timeout=5) as connection:
        connection.execute(sql)


def _postgres_available() -> str | None:
    try:
        with psycopg.connect(_pg_admin_dsn(), connect_timeout=5):
            return None
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]


class DatabaseFactory:
    """Builds templates once per backend and hands out fresh copies."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.templates: dict[tuple[str, bool], str] = {}
        self.pg_databases: list[str] = []
        self.pg_problem: str | None | bool = False

    def require_postgres(self) -> None:
        if self.pg_problem is False:
            self.pg_problem = _postgres_available()
        if self.pg_problem:
            message = f"PostgreSQL at {make_url(PG_URL).render_as_string()} does not answer: {self.pg_problem}"
            unavailable(message)

    def _build(self, url: str, seeded: bool) -> None:
        upgrade(url)
        if seeded:
            engine = build_engine(url)
            with session_scope(engine) as session:
                load_seed(session, SEED_DIR)
            engine.dispose()

    def template(self, backend: str, seeded: bool) -> str:
        if (backend, seeded) not in self.templates:
            tag = f"{'seeded' if seeded else 'empty'}_{uuid.uuid4().hex[:8]}"
            if backend == "sqlite":
                url = f"sqlite:///{self.workdir / f'template_{tag}.db'}"
            else:
                name = f"ceiling_tpl_{tag}"
                _pg_execute(f'CREATE DATABASE "{name}"')
                self.pg_databases.append(name)
                url = _pg_url(name)
            self._build(url, seeded)
            self.templates[(backend, seeded)] = url
        return self.templates[(backend, seeded)]

    def fresh(self, backend: str, seeded: bool) -> str:
        if backend == "postgres":
            self.require_postgres()
        template = self.template(backend, seeded)
        if backend == "sqlite":
            path = self.workdir / f"db_{uuid.uuid4().hex[:10]}.db"
            shutil.copyfile(make_url(template).database, path)
            return f"sqlite:///{path}"
        name = f"ceiling_test_{uuid.uuid4().hex[:10]}"
        _pg_execute(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template).database}"')
        self.pg_databases.append(name)
        return _pg_url(name)

    def drop_all(self) -> None:
        for name in reversed(self.pg_databases):
            try:
                _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except psycopg.Error:
                pass


@pytest.fixture(scope="session")
def databases(tmp_path_factory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(tmp_path_factory.mktemp("databases"))
    yield factory
    factory.drop_all()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def seeded_url(databases: DatabaseFactory, backend: str) -> str:
    """A fresh database holding the seed dataset, on each backend."""
    return databases.fresh(backend, seeded=True)


@pytest.fixture
def empty_url(databases: DatabaseFactory, backend: str) -> str:
    """A fresh migrated database with no data, on each backend."""
    return databases.fresh(backend, seeded=False)


@pytest.fixture
def sqlite_seeded_url(databases: DatabaseFactory) -> str:
    """A fresh seeded SQLite database, for tests whose subject does not depend on the backend."""
    return databases.fresh("sqlite", seeded=True)


def make_settings(url: str, tmp_path: Path, **overrides) -> Settings:
    return Settings(
        environment="test",
        database_url=url,
        reports_dir=tmp_path / "reports",
        secret_key="test-secret-key-not-for-production",
        scheduler_in_app=False,
        _env_file=None,
        **{"metadata_lookup": False, "assessment_warm_start": False, **overrides},
    )


@pytest.fixture
def engine_for():
    engines = []

    def make(url: str):
        engine = build_engine(url)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.dispose()


@pytest.fixture
def session(seeded_url, engine_for) -> Iterator[Session]:
    with Session(engine_for(seeded_url)) as session:
        yield session


@pytest.fixture
def client(seeded_url, tmp_path) -> Iterator[TestClient]:
    from app.main import create_app

    with TestClient(create_app(make_settings(seeded_url, tmp_path))) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
