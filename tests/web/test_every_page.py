"""Every page, checked structurally: hostile text stored in every field is escaped wherever it is shown,
every form field has a <label for> matching its id, and ids are unique.

Pages are found from the routers, so a new page is checked without being listed here.
"""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from sqlmodel import select

from app.auth import service
from app.auth.models import TokenScope, User
from app.auth.roles import Role
from app.db.session import session_scope
from app.evidence.history import Actor
from app.evidence.models import Claim, Critique, Source
from app.evidence.schemas.claims import ClaimIn
from app.evidence.schemas.critiques import CritiqueIn
from app.evidence.schemas.results import ResultIn
from app.evidence.schemas.sources import SourceIn
from app.evidence.services import claims, critiques, overrides, sources
from tests.review.support import ask_for_dual_extraction
from tests.web.conftest import PASSWORD
from tests.web.forms import claim_form, source_form
from tests.web.pages import fill, routes_of

SCRIPT = '<script>alert("pwned")</script>'
HOSTILE = SCRIPT + "'\"><img src=x onerror=alert(1)>\u202eevil\u200f"
BIG = ("A" * 99 + " ") * 1000  # 100 kB
RAW_MARKERS = ("<script>alert", "<img src=x", "onerror=alert(1)>")
SKIP_FIELD_TYPES = {"hidden", "submit", "button", "reset", "image"}


def _store_hostile_rows(url: str, engine_for) -> dict[str, int]:
    """A source, a claim with a result, a critique, a user and a token, all carrying hostile text."""
    actor = Actor("analyst")
    with session_scope(engine_for(url)) as session:
        source = sources.create(
            session,
            SourceIn(
                key="hostile-source", kind="paper", title=HOSTILE, authors=[HOSTILE], venue=HOSTILE,
                organization=HOSTILE, url="https://example.org/hostile", notes=HOSTILE + BIG[:19_000],
                report_labels=[HOSTILE], year=2025,
            ),
            actor,
        )  # fmt: skip
        source.url = "javascript:alert(1)"  # stored before the schema refused such URLs: pages must not link it
        session.add(source)
        result = ResultIn(
            key="hostile-claim.r1", model_name=HOSTILE, model_family=HOSTILE, params_basis="estimated",
            params=7e10, params_low=5e10, params_high=9e10, params_note=HOSTILE, task=HOSTILE,
            metric_name=HOSTILE, metric_unit=HOSTILE[:50], baseline_name=HOSTILE, baseline_value=1,
            metric_value=2, outcome="success", safety_metric=HOSTILE, notes=HOSTILE,
        )  # fmt: skip
        claim = claims.create(
            session,
            ClaimIn(
                key="hostile-claim", source="hostile-source", text=HOSTILE + " " + BIG, quote=HOSTILE + BIG,
                locator=HOSTILE, aspects=["circuits"], stance="supports", kind="finding", confidence=0.5,
                notes=HOSTILE, results=[result],
            ),
            actor,
        )  # fmt: skip
        claims.create(
            session,
            ClaimIn(
                key="hostile-critic", source="hostile-source", text=HOSTILE, aspects=["safety"],
                stance="undermines", kind="critique", confidence=0.4,
            ),
            actor,
        )  # fmt: skip
        critique = critiques.create(
            session,
            CritiqueIn(
                key="hostile-critique", target="hostile-claim", critic_source="hostile-source",
                critic_claim="hostile-critic", kind="confound", text=HOSTILE + BIG, severity=0.6,
            ),
            actor,
        )  # fmt: skip
        overrides.set_override(session, "safety", "low", HOSTILE + " is the reason", actor)
        request = ask_for_dual_extraction(session, claim, note=HOSTILE)
        # a username can no longer hold markup (app/auth/usernames.py); the display name still does
        user = service.create_user(session, "hostile-user", PASSWORD, Role.viewer, HOSTILE[:200])
        service.create_token(session, user, HOSTILE[:200], TokenScope.read, dt.datetime.now(dt.UTC))
        return {
            "claim_id": claim.id,
            "source_id": source.id,
            "critique_id": critique.id,
            "user_id": user.id,
            "token_id": 1,
            "request_id": request.id,
        }


class FormAudit(HTMLParser):
    """Collects form fields, labels and ids of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: list[dict] = []
        self.label_for: set[str] = set()
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(attributes["id"])
        if tag == "label" and attributes.get("for"):
            self.label_for.add(attributes["for"])
        if tag in ("select", "textarea") or (tag == "input" and attributes.get("type", "text") not in SKIP_FIELD_TYPES):
            self.fields.append({"tag": tag, **attributes})


def assert_accessible_and_escaped(page: str, where: str) -> None:
    """Every form field labelled by a <label for>, ids unique, hostile text never emitted raw."""
    for marker in RAW_MARKERS:
        assert marker not in page, f"{where}: unescaped {marker!r}"
    assert 'href="javascript:' not in page, where
    audit = FormAudit()
    audit.feed(page)
    unlabelled = [f.get("name") for f in audit.fields if not f.get("id") or f["id"] not in audit.label_for]
    assert unlabelled == [], f"{where}: fields without <label for>: {unlabelled}"
    duplicates = sorted({i for i in audit.ids if audit.ids.count(i) > 1})
    assert duplicates == [], f"{where}: duplicate ids {duplicates}"
    assert '<html lang="en">' in page and "<title>" in page, where


@pytest.fixture
def hostile_ids(web_db, engine_for) -> dict[str, int]:
    return _store_hostile_rows(web_db, engine_for)


@pytest.mark.parametrize("who", ["admin", None])
def test_every_page_escapes_hostile_text_and_labels_every_field(make_web, hostile_ids, who):
    web = make_web(who)
    checked = 0
    for path in routes_of("GET"):
        url = fill(path, hostile_ids)
        response = web.get(url)
        if who is None and response.status_code == 303:
            continue
        assert response.status_code == 200, (url, response.status_code)
        if not response.headers["content-type"].startswith("text/html"):  # an export: a file, never rendered
            assert response.headers["content-disposition"].startswith("attachment"), url
            continue
        assert_accessible_and_escaped(response.text, url)
        checked += 1
    assert checked >= (16 if who else 7)


def test_hostile_text_is_shown_escaped_on_the_pages_that_show_it(admin, hostile_ids):
    escaped = "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;"
    for url in (
        f"/claims/{hostile_ids['claim_id']}",
        f"/sources/{hostile_ids['source_id']}",
        "/claims?q=pwned",
        "/results?q=pwned",
        "/sources?q=pwned",
        "/admin/users",
        "/admin/tokens",
        "/confidence",
    ):
        page = admin.get(url).text
        assert escaped in page, url
        assert "\u202eevil" in page, url  # kept as text, isolated in <bdi> so it cannot flip the layout


def test_hostile_query_strings_are_escaped(admin, hostile_ids):
    for path in ("/claims", "/results", "/sources"):
        url = f"{path}?q={quote(HOSTILE)}&aspect={quote(HOSTILE)}&sort={quote(HOSTILE)}&cursor={quote(HOSTILE)}"
        response = admin.get(url)
        assert response.status_code == 200
        assert_accessible_and_escaped(response.text, url)
    login = admin.get("/login?next=" + quote(HOSTILE))
    assert_accessible_and_escaped(login.text, "/login?next=")


def test_forms_shown_again_escape_what_was_typed(admin, hostile_ids):
    pages = {
        "claim errors": admin.post("/claims/new", claim_form(text=HOSTILE + BIG, confidence=HOSTILE)),
        "claim rows": admin.post("/claims/new", {**claim_form(notes=HOSTILE), "action": "add_result"}),
        "source errors": admin.post("/sources/new", source_form(title=HOSTILE, doi=HOSTILE)),
        "source duplicates": admin.post("/sources/new", source_form(title=HOSTILE, key="")),
        "critique errors": admin.post(f"/claims/{hostile_ids['claim_id']}/critiques/new", {"text": HOSTILE}),
        "sign-in error": admin.post("/login", {"username": HOSTILE, "password": "x"}),
        "user errors": admin.post("/admin/users", {"username": HOSTILE, "role": "viewer", "password": "x"}),
        "token created": admin.post("/admin/tokens", {"username": "viewer", "name": HOSTILE, "scope": "read"}),
    }
    for where, response in pages.items():
        assert response.status_code in (200, 401, 409, 422), (where, response.status_code)
        assert_accessible_and_escaped(response.text, where)
        assert "&lt;script&gt;" in response.text, where


def test_a_conflict_page_escapes_both_versions(make_web, hostile_ids):
    first, second = make_web("analyst"), make_web("analyst2")
    source_id = hostile_ids["source_id"]
    data = source_form(key="hostile-source", title="Another title", version="1")
    assert first.post(f"/sources/{source_id}/edit", data).status_code == 303
    response = second.post(f"/sources/{source_id}/edit", {**data, "venue": HOSTILE})
    assert response.status_code == 409
    assert_accessible_and_escaped(response.text, "conflict")


def test_the_hostile_rows_exist(web_db, hostile_ids, engine_for):
    from sqlmodel import Session

    with Session(engine_for(web_db)) as session:
        assert session.get(Claim, hostile_ids["claim_id"]).text.startswith(SCRIPT)
        assert session.exec(select(Critique).where(Critique.key == "hostile-critique")).one()
        assert session.get(Source, hostile_ids["source_id"]).title == HOSTILE
        assert session.get(User, hostile_ids["user_id"]).display_name == HOSTILE[:200]
