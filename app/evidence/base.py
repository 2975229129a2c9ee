"""Column helpers shared by every table of the store."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def one_of(column: str, values: type[StrEnum], *, nullable: bool = False) -> CheckConstraint:
    """CHECK that a text column holds one of an enumeration's values (or NULL, when nullable)."""
    allowed = ", ".join(f"'{v.value}'" for v in values)
    condition = f"{column} IN ({allowed})"
    return CheckConstraint(f"{column} IS NULL OR {condition}" if nullable else condition, name=f"{column}_valid")


def unit_interval(column: str) -> CheckConstraint:
    return CheckConstraint(f"{column} >= 0 AND {column} <= 1", name=f"{column}_unit")


class Tracked(SQLModel):
    """Created and updated timestamps and an integer version for optimistic concurrency."""

    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)
    version: int = Field(default=1, nullable=False)


class SoftDeleted(Tracked):
    deleted_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True), index=True)
