"""Optional metadata lookup: title, authors, year and venue of a DOI (Crossref) or an arXiv id (arXiv API).

Plain httpx with a short timeout. Without a network (or with CEILING_METADATA_LOOKUP=false) it raises
LookupUnavailable with a message to show; callers carry on without it, so nothing ever blocks on it.
Tests pass a client with httpx.MockTransport and recorded responses; no test calls the live services.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import quote

import httpx

from app.evidence.schemas.common import normalize_arxiv_id, normalize_doi

CROSSREF = "https://api.crossref.org/works/"
ARXIV = "https://export.arxiv.org/api/query"
ATOM = {"a": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}
USER_AGENT = "ceiling/0.1 (evidence database; mailto:ceiling@example.org)"
TRANSPORT: httpx.BaseTransport | None = None  # tests put an httpx.MockTransport with recorded answers here
FILLED = ("title", "authors", "year", "published_date", "venue", "doi", "arxiv_id", "url")


class LookupUnavailable(Exception):
    """No answer (offline, timeout, lookups off, service error): the message says so; fill the fields by hand."""


class LookupNotFound(LookupUnavailable):
    """The service answered that it has no such work."""


def lookup(
    *, doi: str | None = None, arxiv_id: str | None = None, client: httpx.Client | None = None, timeout_s: float = 5.0
) -> dict[str, Any]:
    """SourceIn values for a DOI or an arXiv id (the DOI is asked first)."""
    own = client is None
    client = client or httpx.Client(
        transport=TRANSPORT, timeout=timeout_s, headers={"User-Agent": USER_AGENT}, follow_redirects=True
    )
    try:
        if doi:
            return _crossref(client, normalize_doi(doi))
        if arxiv_id:
            return _arxiv(client, normalize_arxiv_id(arxiv_id))
        raise LookupUnavailable("give a DOI or an arXiv id to look up")
    finally:
        if own:
            client.close()


def _get(client: httpx.Client, url: str, what: str, **params: str) -> httpx.Response:
    try:
        response = client.get(url, params=params or None)
    except httpx.TimeoutException:
        raise LookupUnavailable(f"{what}: no answer in time (slow or no network); fill the fields in by hand") from None
    except httpx.TransportError as error:
        message = f"{what}: cannot reach the service ({error}); offline? fill the fields in by hand"
        raise LookupUnavailable(message) from None
    if response.status_code == 404:
        raise LookupNotFound(f"{what}: no such work")
    if response.status_code >= 400:
        raise LookupUnavailable(f"{what}: the service answered HTTP {response.status_code}; try again later")
    return response


def _crossref(client: httpx.Client, doi: str) -> dict[str, Any]:
    response = _get(client, CROSSREF + quote(doi, safe="/"), f"Crossref, DOI {doi}")
    try:
        work = response.json()["message"]
    except (ValueError, KeyError):
        raise LookupUnavailable(f"Crossref, DOI {doi}: an answer that is not Crossref JSON") from None
    values: dict[str, Any] = {"doi": doi}
    if work.get("title"):
        values["title"] = " ".join(work["title"][0].split())
    values["authors"] = [
        f"{a['family']}, {a['given']}" if a.get("given") else a.get("family") or a.get("name", "")
        for a in work.get("author", [])
        if a.get("family") or a.get("name")
    ]
    parts = ((work.get("issued") or work.get("published") or {}).get("date-parts") or [[]])[0]
    if parts and parts[0]:
        values["year"] = int(parts[0])
        if len(parts) == 3:
            values["published_date"] = dt.date(*(int(p) for p in parts))
    if work.get("container-title"):
        values["venue"] = work["container-title"][0]
    if work.get("URL"):
        values["url"] = work["URL"]
    return values


def _arxiv(client: httpx.Client, arxiv_id: str) -> dict[str, Any]:
    response = _get(client, ARXIV, f"arXiv, {arxiv_id}", id_list=arxiv_id)
    try:
        entry = ET.fromstring(response.text).find("a:entry", ATOM)
    except ET.ParseError:
        raise LookupUnavailable(f"arXiv, {arxiv_id}: an answer that is not Atom XML") from None
    if entry is None or entry.find("a:title", ATOM) is None:
        raise LookupNotFound(f"arXiv, {arxiv_id}: no such work")
    values: dict[str, Any] = {"arxiv_id": arxiv_id, "url": f"https://arxiv.org/abs/{arxiv_id}"}
    values["title"] = " ".join((entry.findtext("a:title", "", ATOM)).split())
    values["authors"] = [_family_first(n.text or "") for n in entry.findall("a:author/a:name", ATOM) if n.text]
    published = entry.findtext("a:published", "", ATOM)
    if published[:4].isdigit():
        values["year"] = int(published[:4])
        values["published_date"] = dt.date.fromisoformat(published[:10])
    values["venue"] = entry.findtext("arxiv:journal_ref", "", ATOM).strip() or "arXiv preprint"
    doi = entry.findtext("arxiv:doi", "", ATOM).strip()
    if doi:
        values["doi"] = normalize_doi(doi)
    return values


def _family_first(name: str) -> str:
    """arXiv gives 'Adly Templeton'; the store keeps 'Templeton, Adly'."""
    parts = name.split()
    return f"{parts[-1]}, {' '.join(parts[:-1])}" if len(parts) > 1 else name


def fill_missing(values: dict[str, Any], found: dict[str, Any]) -> list[str]:
    """Copy looked-up values into the fields that are empty; returns the fields filled."""
    filled = []
    for name in FILLED:
        if found.get(name) not in (None, "", []) and values.get(name) in (None, "", []):
            values[name] = found[name]
            filled.append(name)
    return filled


def completer(client: httpx.Client | None = None, timeout_s: float = 5.0):
    """A function that fills a record's empty fields from its DOI or arXiv id; a note when it cannot.

    After the first failure to reach a service it stops asking, so an offline import never waits per entry."""
    unreachable: list[str] = []

    def complete(values: dict[str, Any]) -> str | None:
        if unreachable or not (values.get("doi") or values.get("arxiv_id")):
            return None
        if all(values.get(name) not in (None, "", []) for name in ("title", "authors", "year", "venue")):
            return None
        try:
            found = lookup(doi=values.get("doi"), arxiv_id=values.get("arxiv_id"), client=client, timeout_s=timeout_s)
        except LookupNotFound as error:
            return str(error)
        except LookupUnavailable as error:
            unreachable.append(str(error))
            return f"{error} (no more lookups for this file)"
        filled = fill_missing(values, found)
        return f"filled {', '.join(filled)} from {'Crossref' if values.get('doi') else 'arXiv'}" if filled else None

    return complete
