"""CSV of any list: the same read models as the JSON, one row each, lists joined with "; ".

Text that a spreadsheet would run as a formula (starting with = + - @ or a tab) is prefixed with
an apostrophe (OWASP's advice against CSV injection); numbers are left as they are.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import BaseModel

from app.evidence.interchange.csvsafe import cell

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


def columns_of(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def _lines(rows: Iterable[list[Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([cell(value) for value in row])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_chunks(model: type[BaseModel], items: Iterable[BaseModel]) -> Iterator[str]:
    """The header and one line per item, in chunks of about 64 kB."""
    names = columns_of(model)
    header = iter([names])
    rows = ([getattr(item, name) for name in names] for item in items)
    yield from _lines(itertools.chain(header, rows))


def csv_text(model: type[BaseModel], items: Iterable[BaseModel]) -> str:
    return "".join(csv_chunks(model, items))
