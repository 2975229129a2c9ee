"""Engines and the metadata naming convention shared by models and migrations."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from sqlalchemy import DateTime, Engine, MetaData, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import SQLModel, create_engine

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Foreign keys are off by default in SQLite; WAL lets readers work during a write."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def build_engine(url: str, *, pool_size: int = 10, max_overflow: int = 20, pool_timeout_s: float = 10.0) -> Engine:
    """An engine for the URL; SQLite files get their folder created and foreign keys enforced.

    PostgreSQL: a request that finds every pooled connection busy for pool_timeout_s gets sqlalchemy's
    TimeoutError, which the app answers 503 with Retry-After (app/api/problems.py)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow, pool_timeout=pool_timeout_s
    )


@lru_cache(maxsize=256)
def _aware_columns(mapper) -> tuple[str, ...]:
    """The attributes of a mapped class stored as DateTime(timezone=True)."""
    return tuple(
        attr.key
        for attr in mapper.column_attrs
        if isinstance(getattr(attr.columns[0], "type", None), DateTime) and attr.columns[0].type.timezone
    )


@event.listens_for(SQLModel, "load", propagate=True)
@event.listens_for(SQLModel, "refresh", propagate=True)
def _utc_on_load(instance, *_args) -> None:
    """SQLite keeps no time zone, so a DateTime(timezone=True) comes back naive; every stored time is UTC, so
    it is marked UTC as it loads, and no answer, page or comparison meets a naive time (PostgreSQL's are aware)."""
    state = inspect(instance)
    for key in _aware_columns(state.mapper):
        value = state.dict.get(key)
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            set_committed_value(instance, key, value.replace(tzinfo=dt.UTC))


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    return build_engine(url)
