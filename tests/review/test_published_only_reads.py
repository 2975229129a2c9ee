"""CEILING_PUBLISH_REVIEWED_ONLY on: no page, list, count, export or feed shows an unpublished claim (nor its
results, nor the critiques by or of it) to anonymous readers or viewers; reading one by id is a 404; analysts
still see everything; with the setting off everyone does.

The crawl finds every GET route of the app from its routers, so a new route is crawled without being listed;
each path parameter is filled with the ids of the hidden rows and of published ones.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from app.auth import service as auth
from app.auth.models import TokenScope
from app.db.engine import build_engine, get_engine
from app.db.session import session_scope
from app.evidence import stats
from app.evidence.history import Actor
from app.evidence.models import Claim, Critique, Result
from app.evidence.schemas.claims import ClaimIn
from app.evidence.schemas.critiques import CritiqueIn
from app.evidence.schemas.sources import SourceIn
from app.evidence.services import claims, critiques, extraction, listing, review, sources, visibility
from app.main import create_app
from app.reports import snapshots
from app.reports.build import build_snapshot
from tests.conftest import make_settings
from tests.review.support import person
from tests.web.conftest import PASSWORD, add_users

MARKER = "quokka"  # in the text or key of every hidden row, and nowhere in the seed
SEARCHED = "pangolin"  # also in the hidden claims' text: the word searched for (search forms echo it)
DRAFT, IN_REVIEW = "quokka-draft", "quokka-in-review"
SOURCE = "okapi2026_only_drafts"  # the hidden claims' source: a published record with no published claim

# Routes a reader (anonymous or viewer) cannot open whatever the setting: they answer a redirect to the
# sign-in page, 401 or 403 before reading anything. Crawled all the same, checked to refuse.
NOT_FOR_READERS = {
    r"^/(claims/new|sources/new|import|confidence|review)$": "analysts' forms and queue",
    r"^/(claims|sources|critiques)/\{\w+:int\}(/edit|/critiques/new)$": "analysts' edit forms",
    r"^/extractions/": "dual extractions: the analysts named in them and editors",
    r"^/admin/": "admins' pages",
    r"^/reports/candidates": "candidate reports: editors",
    r"^/api/v1/(extractions|review)/": "the review workflow: analysts' tokens",
    r"^/api/v1/reports/candidates": "candidate reports: editors' tokens",
    r"^/api/v1/webhooks": "webhooks: admins' tokens",
    r"^/account/(password|tokens)$": "a signed-in user's own page (anonymous readers are sent to sign in)",
}
REFUSALS = {303, 401, 403}
ANSWERS = {
    "/api/v1/lookup": {422, 503},  # the metadata lookup is off in tests and needs a DOI or arXiv id
    "/reports/claims/{key}": {303},  # a report's link by key redirects to the page
    "/reports/sources/{key}": {303},
}


@dataclass(frozen=True)
class Ids:
    hidden: dict[str, list[int]]  # kind (claims, results, critiques) -> ids of rows readers may not see
    shown: dict[str, list]  # kind or path parameter -> ids of published rows and of other records

    def of(self, path: str, hidden: bool) -> dict[str, list]:
        """Path parameter -> ids, for this path: {row_id} of /api/v1/claims/... is a claim's id."""
        rows = self.hidden if hidden else self.shown
        kind = re.match(r"^/api/v1/(\w+)/\{row_id\}", path)
        named = {"row_id": rows.get(kind.group(1), []) if kind else [], "claim_id": rows["claims"],
                 "critique_id": rows["critiques"]}  # fmt: skip
        if path.startswith("/reports/"):  # a report's links by key: /reports/claims/{key}, /reports/sources/{key}
            of_sources = path.startswith("/reports/sources/")
            named["key"] = (
                ([] if of_sources else [DRAFT, IN_REVIEW])
                if hidden
                else self.shown["source_keys" if of_sources else "claim_keys"]
            )
        return named if hidden else {**self.shown, **named}


def get_routes(app) -> list[str]:
    """The path of every GET route of the app, the routers included into it followed down."""

    def walk(routes) -> Iterator[tuple[str, set[str]]]:
        for route in routes:
            if hasattr(route, "effective_candidates"):  # an included router (FastAPI 0.120+)
                yield from walk(route.effective_candidates())
            elif isinstance(getattr(route, "original_route", route), APIRoute):
                yield route.path, getattr(route, "original_route", route).methods

    return sorted({path for path, methods in walk(app.routes) if "GET" in methods})


@contextmanager
def stored(url: str):
    """A unit of work on the store, its engine disposed after (so the file holds every write: SQLite's WAL)."""
    engine = build_engine(url)
    try:
        with session_scope(engine) as session:
            yield session
    finally:
        engine.dispose()


def _store_hidden_rows(url: str) -> None:
    """A source whose claims are all unpublished: a draft with a result, a critique of it and one it makes of
    a published claim, and a claim in review with a result, under a dual extraction."""
    with stored(url) as session:
        sources.create(session, SourceIn(key=SOURCE, kind="preprint", title="Okapi dictionaries"), Actor("analyst"))
        critiqued = select(Critique.target_claim_id).where(Critique.deleted_at.is_(None))
        published = session.exec(
            select(Claim).where(Claim.status == "reviewed", Claim.id.in_(critiqued)).order_by(Claim.id)
        ).first()
        for key in (DRAFT, IN_REVIEW):
            data = {
                "key": key, "source": SOURCE, "text": f"The {MARKER} {SEARCHED} SAE holds at 900B.",
                "quote": f"{MARKER} quote", "aspects": ["features"], "questions": ["q1"], "method": "sae",
                "stance": "supports", "kind": "finding", "confidence": 0.95,
                "results": [{"key": f"{key}.r1", "model_name": f"{MARKER}-900B", "params_basis": "disclosed",
                             "params": 9e11, "method": "sae", "outcome": "success", "notes": MARKER}],
            }  # fmt: skip
            claim = claims.create(session, ClaimIn.model_validate(data), Actor("analyst"))
        review.move(session, claim, "in_review", person(session, "analyst"), "analyst")
        for key, target, critic in ((f"{MARKER}-of-draft", DRAFT, None), (f"{MARKER}-by-draft", published.key, DRAFT)):
            critiques.create(
                session,
                CritiqueIn(key=key, target=target, critic_source="karvonen2025_saebench", critic_claim=critic,
                           kind="confound", text=f"A {MARKER} confound.", severity=0.5),
                Actor("analyst"),
            )  # fmt: skip
        extraction.start(session, claim, person(session, "admin"), "admin", person(session, "analyst"),
                         person(session, "analyst2"), f"{MARKER} note")  # fmt: skip


def _ids(url: str) -> Ids:
    with stored(url) as session:
        hidden_claims = session.exec(select(Claim).where(Claim.key.in_([DRAFT, IN_REVIEW])).order_by(Claim.id)).all()
        hidden_claim_ids = [c.id for c in hidden_claims]
        hidden_critiques = session.exec(select(Critique.id).where(Critique.key.contains(MARKER))).all()
        hidden_results = session.exec(select(Result.id).where(Result.claim_id.in_(hidden_claim_ids))).all()
        target = session.exec(select(Critique).where(Critique.key == f"{MARKER}-by-draft")).one().target_claim_id
        shown_critique = session.exec(
            select(Critique.id).where(Critique.target_claim_id == target, Critique.key.not_like(f"%{MARKER}%"))
        ).first()
        shown_result = session.exec(select(Result.id).where(Result.claim_id == target)).first()
        source_id = hidden_claims[0].source_id
        snapshot_ids = [row.id for row in snapshots.get_all(session)]
        hidden = {"claims": hidden_claim_ids, "results": list(hidden_results), "critiques": list(hidden_critiques)}
        shown = {
            "claims": [target], "results": [shown_result], "critiques": [shown_critique], "sources": [source_id],
            "source_id": [source_id], "request_id": [1], "snapshot_id": snapshot_ids,
            "ref": [*snapshot_ids, "latest"], "a": snapshot_ids[1:], "b": snapshot_ids[:1],
            "claim_keys": [session.get(Claim, target).key], "source_keys": [SOURCE],
        }  # fmt: skip
        return Ids(hidden, shown)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> tuple[Path, Ids, Path]:
    """A seeded database with the web test users, a published report, the hidden rows, a second report."""
    from tests.conftest import DatabaseFactory

    workdir = tmp_path_factory.mktemp("published_only")
    url = DatabaseFactory(workdir).fresh("sqlite", seeded=True)
    add_users(url)
    settings = make_settings(url, workdir, publish_reviewed_only=True)
    build_snapshot(settings)
    _store_hidden_rows(url)
    build_snapshot(settings, force=True)  # forced, so there are two to diff whatever the assessment
    get_engine(url).dispose()  # the builds' engine
    return Path(make_url(url).database), _ids(url), workdir  # the reports are in workdir/reports


@pytest.fixture
def app_for(store, tmp_path):
    """app_for(reviewed_only): the app on a fresh copy of the store, the setting on or off."""

    def make(reviewed_only: bool):
        path = tmp_path / f"store-{reviewed_only}.db"
        shutil.copyfile(store[0], path)
        return create_app(make_settings(f"sqlite:///{path}", store[2], publish_reviewed_only=reviewed_only))

    return make


@pytest.fixture
def visitor() -> Iterator:
    """visitor(app, who): a client of the app, anonymous or signed in as the web test user `who` on the pages
    and sending a token of theirs to the API (read scope, so that the role alone decides what it sees)."""
    clients = []

    def make(app, who: str | None) -> TestClient:
        client = TestClient(app, follow_redirects=False)
        client.__enter__()
        clients.append(client)
        if who is not None:
            with session_scope(app.state.engine) as session:
                token = auth.create_token(session, auth.get_user(session, who), "crawl", TokenScope.read)[1]
            client.headers["Authorization"] = f"Bearer {token}"
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
            login = client.post("/login", data={"username": who, "password": PASSWORD, "csrf_token": csrf})
            assert login.status_code == 303, login.text[:300]
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def urls(path: str, ids: dict[str, list]) -> list[str]:
    """The path with each parameter filled in with each of its ids (the other parameters with their first)."""
    names = [m.group(1) for m in re.finditer(r"\{(\w+)(?::\w+)?\}", path)]
    if not names:
        return [path]
    if "fmt" in names:
        formats = ["json", "csv"] if "trajectory" in path else ["md", "json", "csv"]
        return [u for fmt in formats for u in urls(path.replace("{fmt}", fmt), ids)]
    filled = []
    for name in names:
        for value in ids.get(name, []):
            chosen = {n: (value if n == name else ids[n][0]) for n in names}
            filled.append(re.sub(r"\{(\w+)(?::\w+)?\}", lambda m, c=chosen: str(c[m.group(1)]), path))
    return sorted(set(filled))


# Lists asked for what only the hidden rows match, and the forms (CSV, exports) that stream or bundle them.
QUERIES = [
    f"/claims?q={SEARCHED}", f"/results?q={SEARCHED}", "/claims?status=draft&status=in_review",
    f"/export/claims?format=csv&q={SEARCHED}", f"/export/results?format=csv&q={SEARCHED}", "/export/claims?format=ris",
    f"/api/v1/claims?q={SEARCHED}", "/api/v1/claims?status=draft&status=in_review", f"/api/v1/results?q={SEARCHED}",
    f"/api/v1/results?claim={DRAFT}", f"/api/v1/critiques?target={DRAFT}", f"/api/v1/claims?key={DRAFT}",
    "/api/v1/claims?format=csv", "/api/v1/results?format=csv", "/api/v1/critiques?format=csv",
    "/api/v1/claims?format=csv&limit=500", "/api/v1/critiques?limit=500", "/api/v1/results?limit=500",
    f"/api/v1/export/claims?format=csv&q={SEARCHED}", "/api/v1/export/results?format=csv",
    "/api/v1/stats?status=draft", "/api/v1/sources?aspect=features&limit=500", "/api/v1/reports/trajectory?points=2",
]  # fmt: skip


def refused_because(path: str, who: str | None) -> str | None:
    """Why readers cannot open this route at all, or None."""
    if who is not None and path in ("/account/password", "/account/tokens"):
        return None
    return next((why for pattern, why in NOT_FOR_READERS.items() if re.search(pattern, path)), None)


@pytest.mark.parametrize("who", [None, "viewer"])
def test_no_route_shows_an_unpublished_claim_to_readers_and_its_details_are_not_found(app_for, store, visitor, who):
    app, ids = app_for(True), store[1]
    client = visitor(app, who)
    crawled = []
    for path in get_routes(app):
        shown = urls(path, ids.of(path, False))
        assert shown, f"{path}: a path parameter without ids to fill it in; add them to _ids()"
        hidden = [url for url in urls(path, ids.of(path, True)) if url not in shown]
        refused = refused_because(path, who)
        for url in shown + hidden:
            response = client.get(url)
            assert MARKER not in response.text.lower(), (url, response.status_code)
            if refused:
                assert response.status_code in REFUSALS, (url, refused, response.status_code)
            elif url in hidden:
                assert response.status_code == 404, (url, response.status_code)
            else:
                assert response.status_code in ANSWERS.get(path, {200}), (url, response.status_code)
            crawled.append(url)
    for url in QUERIES:
        response = client.get(url)
        assert response.status_code == 200 and MARKER not in response.text.lower(), (url, response.status_code)
    assert len(crawled) > 100 and sum(re.search(r"/(claims|results|critiques)/\d", u) is not None for u in crawled) > 20


def counts(client: TestClient, source_id: int) -> dict[str, int]:
    """What the client is told there is: the API's list counts, /stats, the home page and a source page."""
    kinds = ("claims", "results", "critiques")
    found = {kind: int(client.get(f"/api/v1/{kind}").headers["x-total-count"]) for kind in kinds}
    found["stats"] = client.get("/api/v1/stats").json()["totals"]["claims"]
    home = client.get("/").text
    found["home"] = int(re.search(r"<strong>(\d+)</strong> claims", home).group(1))
    features = re.search(r"Features[^<]*</th><td>\d+</td><td>(\d+)</td>\s*<td>(\d+)</td>", home)
    found["home: features claims"], found["home: features results"] = map(int, features.groups())
    source = client.get(f"/sources/{source_id}").text
    found["source page"] = int(re.search(r"Claims from this source \((\d+)\)", source).group(1))
    on_features = client.get("/api/v1/sources", params={"aspect": "features", "limit": 500}).json()["data"]
    found["sources with a claim on features"] = sum(row["key"] == SOURCE for row in on_features)
    return found


def test_analysts_still_see_every_claim_with_its_status(app_for, store, visitor):
    app, ids = app_for(True), store[1]
    reader, analyst = visitor(app, None), visitor(app, "analyst")
    draft, in_review = ids.hidden["claims"]
    page = analyst.get(f"/claims/{draft}")
    assert page.status_code == 200 and MARKER in page.text and "draft" in page.text
    assert [analyst.get(f"/api/v1/claims/{i}").json()["status"] for i in (draft, in_review)] == ["draft", "in_review"]
    for kind, row_ids in ids.hidden.items():
        for row_id in row_ids:
            response = analyst.get(f"/api/v1/{kind}/{row_id}")
            assert response.status_code == 200 and MARKER in response.text, (kind, row_id)
    for url in (f"/claims?q={SEARCHED}", f"/api/v1/critiques?target={DRAFT}", "/api/v1/claims?format=csv"):
        assert MARKER in analyst.get(url).text.lower(), url
    seen, shown = (counts(client, ids.shown["source_id"][0]) for client in (analyst, reader))
    more = {name: seen[name] - shown[name] for name in seen}
    assert more == {**dict.fromkeys(seen, 2), "sources with a claim on features": 1}
    assert shown["stats"] == shown["claims"] == shown["home"]


def test_with_the_setting_off_readers_see_the_same_rows_so_the_crawl_can_fail(app_for, store, visitor):
    app, ids = app_for(False), store[1]
    reader = visitor(app, None)
    draft = ids.hidden["claims"][0]
    for url in (f"/claims/{draft}", f"/api/v1/claims/{draft}", f"/api/v1/claims?q={SEARCHED}", "/api/v1/critiques"):
        response = reader.get(url)
        assert response.status_code == 200 and MARKER in response.text.lower(), url
    for kind, row_ids in ids.hidden.items():
        for row_id in row_ids:
            assert reader.get(f"/api/v1/{kind}/{row_id}").status_code == 200, (kind, row_id)


def test_counts_cached_for_one_view_are_not_served_to_the_other(store):
    """The list count and facet caches are keyed by the view, not only by the data version and the filters."""
    engine = build_engine(f"sqlite:///{store[0]}")
    with Session(engine) as session:
        everything = listing.list_claims(session).count, stats.cached_facet_counts(session)[0]["totals"]["claims"]
        visibility.restrict(session, True)
        published = listing.list_claims(session).count, stats.cached_facet_counts(session)[0]["totals"]["claims"]
        visibility.restrict(session, False)
        again = listing.list_claims(session).count, stats.cached_facet_counts(session)[0]["totals"]["claims"]
    engine.dispose()
    assert everything == again and everything[0] - published[0] == everything[1] - published[1] == 2
