"""Usernames refuse look-alikes: case, width (NFKC), invisible characters and mixed scripts, in the service, on
the admin page and in the database itself (a unique key on the name's skeleton)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.auth import service
from app.auth.models import User
from app.auth.roles import Role
from app.evidence.errors import Conflict, EvidenceError

PASSWORD = "a long enough password"


@pytest.mark.parametrize(
    "name, why",
    [
        ("Admin", "looks the same as user 'admin'"),
        ("ADMIN", "looks the same as user 'admin'"),
        ("ａｄｍｉｎ", "exists"),  # full-width letters: NFKC makes them `admin`
        ("\u0430dmin", "one script"),  # a Cyrillic а before Latin dmin
        ("admin\u200b", "U+200B ZERO WIDTH SPACE"),
        ("ad\u00admin", "U+00AD SOFT HYPHEN"),
        ("admin ", "exists"),  # trimmed
        ("ad min", "U+0020 SPACE"),
        ("admin\u202e", "RIGHT-TO-LEFT OVERRIDE"),
    ],
)
def test_a_look_alike_of_an_existing_user_is_refused(web_db, engine_for, name, why):
    with Session(engine_for(web_db)) as session:
        with pytest.raises(EvidenceError, match=re.escape(why)) as refused:
            service.create_user(session, name, PASSWORD, Role.admin)
        assert refused.value.field == "username"


def test_a_name_wholly_in_another_script_is_taken_when_it_looks_like_a_latin_one(web_db, engine_for):
    with Session(engine_for(web_db)) as session:
        service.create_user(session, "pop", PASSWORD, Role.viewer)
        with pytest.raises(Conflict):
            service.create_user(session, "\u0440\u043e\u0440", PASSWORD, Role.viewer)  # Cyrillic рор
        assert service.create_user(session, "Иван", PASSWORD, Role.viewer).username == "Иван"


def test_the_database_refuses_a_look_alike_written_past_the_service(web_db, engine_for):
    with Session(engine_for(web_db)) as session:
        session.add(User(username="ANALYST", password_hash="x", role="viewer"))
        with pytest.raises(IntegrityError):
            session.flush()


def test_sign_in_finds_the_user_by_its_look_alike_key(web_db, engine_for):
    with Session(engine_for(web_db)) as session:
        assert service.get_user(session, "EDITOR").username == "editor"
        assert session.exec(select(User.username_key).where(User.username == "editor")).one() == "editor"


def test_the_admin_page_shows_the_refusal_next_to_the_name(admin, web_db):
    response = admin.post("/admin/users", {"username": "Viewer", "password": PASSWORD, "role": "admin"}, follow=True)
    assert "looks the same as user" in response.text
    with admin.session() as session:
        assert session.exec(select(User).where(User.username == "Viewer")).first() is None
