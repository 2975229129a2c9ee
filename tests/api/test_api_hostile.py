"""No malformed request yields a 500: hostile query strings, paths, headers and bodies give 4xx."""

from __future__ import annotations

import pytest

from tests.api.conftest import API

HOSTILE_QUERIES = [
    "limit=99999999",
    "limit=-1",
    "limit=0",
    "limit=1e3",
    "limit=99999999999999999999999999",
    "offset=99999999999999999999",
    "cursor=%27%3B%20drop%20table%20claim%3B--",
    "cursor=WyJpZCIsIngiLDFd",  # ["id","x",1]
    "cursor=WyJpZCIsMSwxMDAwMDAwMDAwMDAwMDAwMDAwMDAwMF0",  # an id beyond 64 bits
    "cursor=bnVsbA",  # null
    "cursor=%00",
    "year_min=abc",
    "year_min=99999999999999999999",
    "year_max=-5",
    "params_min=nan",
    "params_max=inf",
    "params_min=1e400",
    "confidence_min=2",
    "q=%00%ff",
    "q=%22%20OR%201%3D1%20--",
    "q=title%3Atest%20NEAR(a%20b)%20*%20%5E",
    "q=" + "a%20" * 400,
    "q=%E2%80%AE%D8%A7%D9%84%D8%B9%D8%B1%D8%A8%D9%8A%D8%A9%E2%80%8F",
    "q=%F0%9F%A6%80%F0%9F%A7%A0",
    "q=' OR '1'='1",
    "aspect=%E2%80%AE",
    "aspect=circuits'%20OR%201=1--",
    "aspect=%00",
    "stance=supports&stance=supports&stance=nonsense",
    "aspect=" + "&aspect=".join(["x"] * 60),
    "sort=confidence;drop",
    "sort=-",
    "format=xml",
    "include_deleted=maybe",
    "key=%ED%A0%80",
]
LISTS = ["claims", "sources", "results", "critiques", "stats"]


@pytest.mark.parametrize("path", LISTS)
def test_hostile_query_strings_give_4xx_never_500(client, path):
    for query in HOSTILE_QUERIES:
        response = client.get(f"{API}/{path}?{query}")
        assert response.status_code < 500, (query, response.status_code, response.text[:300])
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json", query


def test_hostile_paths_and_headers_give_4xx(client):
    for path in (
        "claims/0",
        "claims/-1",
        "claims/abc",
        "claims/99999999999999999999",
        "claims/1%00",
        "claims/%E2%80%AE",
    ):
        assert 400 <= client.get(f"{API}/{path}").status_code < 500, path
    for header in ('"1", "2"', 'W/"1"', "*", "garbage", "9" * 400):
        response = client.delete(f"{API}/claims/1", headers={"If-Match": header})
        assert 400 <= response.status_code < 500, header
    assert client.get(f"{API}/assessment", headers={"If-None-Match": "x" * 900}).status_code == 200


def test_hostile_bodies_give_4xx(api, tokens):
    for body in (b"{", b"null", b"[]", b'{"key": "\x00"}', b'"\xff\xfe"', b'{"confidence": 1e999}', b"x" * 10_000):
        response = api.post(
            f"{API}/claims", content=body, headers={**tokens.analyst, "Content-Type": "application/json"}
        )
        assert 400 <= response.status_code < 500, (body[:20], response.status_code)
    nul = api.post(f"{API}/sources", json={"key": "a", "kind": "paper", "title": "x\x00y"}, headers=tokens.analyst)
    assert 400 <= nul.status_code < 500


def test_a_broken_multipart_body_is_a_422_on_the_body_like_broken_json(api, tokens):
    boundary = "ef94e865679cd832d5345884e9613fcb"
    response = api.post(
        f"{API}/import",
        content=f"--{boundary}\r\n2.2e+16--{boundary}--\r\n".encode(),
        headers={**tokens.analyst, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    (error,) = response.json()["errors"]
    assert error["in"] == "body" and error["field"] == "" and error["type"] == "body_unparsable"
