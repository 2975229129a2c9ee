"""Aspects, research questions, scale bands and methods: vocabularies kept as data."""

from __future__ import annotations

from pydantic import BaseModel
from sqlmodel import Session, SQLModel, select

from app.evidence.base import utcnow
from app.evidence.history import diff_fields
from app.evidence.models import Aspect, Method, ResearchQuestion, ScaleBand

MODELS: dict[str, type[SQLModel]] = {
    "aspects": Aspect,
    "questions": ResearchQuestion,
    "bands": ScaleBand,
    "methods": Method,
}


def upsert(session: Session, kind: str, data: BaseModel) -> str:
    model = MODELS[kind]
    values = data.model_dump(mode="json")
    row = session.get(model, data.key)
    if row is None:
        session.add(model(**values))
        session.flush()
        return "created"
    if not diff_fields(row, values):
        return "unchanged"
    for name, value in values.items():
        setattr(row, name, value)
    row.version += 1
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return "updated"


def all_of(session: Session, kind: str) -> list:
    model = MODELS[kind]
    order = [model.sort_order] if hasattr(model, "sort_order") else []
    if kind == "questions":
        order = [ResearchQuestion.number]
    return list(session.exec(select(model).order_by(*order, model.key)))
