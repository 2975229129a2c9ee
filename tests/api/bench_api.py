"""Benchmark of the REST API on a large store: 100k claims and 1M results (run by hand, not collected).

    .venv/bin/python tests/api/bench_api.py                      # a fresh SQLite file in a temp folder
    .venv/bin/python tests/api/bench_api.py --url postgresql+psycopg://postgres@127.0.0.1:5432/ceiling_bench

The database is migrated, given the seed's vocabularies and then bulk-loaded with executemany
(SQLite) or COPY (PostgreSQL), never the ORM. Requests go through the app in-process (TestClient),
so the figures are the app's and the database's time without network. Each figure is the median
of several runs. The figures in docs/api.md come from this script.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlmodel import Session

from app.config import PROJECT_ROOT, Settings
from app.db.engine import build_engine
from app.db.migrate import upgrade
from app.db.session import session_scope
from app.evidence.bands import bands_spanned
from app.evidence.models import Claim, ClaimAspect, ClaimQuestion, Result, ResultBand, ScaleBand, Source
from app.evidence.seed import load_seed
from app.evidence.services.listing import encode_cursor
from app.main import create_app

WORDS = (
    "sparse autoencoder feature circuit attribution probe steering dictionary latent activation patching scale "
    "model layer residual stream neuron superposition polysemantic monosemantic faithfulness benchmark evaluation "
    "safety deception refusal honesty transcoder graph replacement fidelity reconstruction loss downstream task "
    "gemma llama pythia claude frontier billion parameters width seed robustness ablation causal intervention "
    "mechanism interpretability tractable ceiling barrier limitation replication confound scope method baseline"
).split()
ASPECTS = [("features", 0.6), ("circuits", 0.3), ("evaluation", 0.25), ("safety", 0.2)]
STANCES, KINDS, STATUSES = (
    ["supports", "undermines", "mixed", "neutral"],
    ["finding", "position"],
    ["reviewed", "draft"],
)
OUTCOMES, IMPACTS = ["success", "partial", "failure"], ["none", "monitoring_aid", "not_applicable", "negative"]
KINDS_OF_SOURCE = ["paper", "preprint", "blog", "benchmark", "survey"]
METHODS = ["sae", "circuits", "linear_probe", "steering", None]
ORGS = ["Anthropic", "Google DeepMind", "OpenAI", "EleutherAI", "MIT", None]


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def generate(session: Session, n_claims: int, results_per_claim: int, seed: int = 7) -> None:
    """Bulk-load sources, claims, their links, results and result bands (Core inserts or COPY)."""
    rng = random.Random(seed)
    bands = list(session.exec(select(ScaleBand)).scalars())
    questions = [row[0] for row in session.execute(text("SELECT key FROM research_question")).all()]
    now = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
    base = {"created_at": now, "updated_at": now, "version": 1, "deleted_at": None}
    offset = session.execute(text("SELECT coalesce(max(id), 0) FROM claim")).scalar() + 1
    source_offset = session.execute(text("SELECT coalesce(max(id), 0) FROM source")).scalar() + 1
    n_sources = max(1, n_claims // 50)
    sources = []
    for i in range(n_sources):
        title = f"Bench source {i}: " + sentence(rng, 8)
        sources.append(
            {**base, "id": source_offset + i, "key": f"bench-source-{i}", "kind": rng.choice(KINDS_OF_SOURCE),
             "title": title, "title_normalized": title.lower(), "authors": [], "year": rng.randint(2018, 2026),
             "organization": rng.choice(ORGS), "peer_reviewed": False, "verification": "partial",
             "report_labels": []}
        )  # fmt: skip
    claims, aspects, links, results, result_bands = [], [], [], [], []
    for i in range(n_claims):
        claim_id = offset + i
        claims.append(
            {**base, "id": claim_id, "key": f"bench-claim-{i}", "source_id": source_offset + rng.randrange(n_sources),
             "text": sentence(rng, rng.randint(12, 25)), "quote": sentence(rng, 8) if rng.random() < 0.3 else None,
             "method_key": rng.choice(METHODS), "stance": rng.choice(STANCES), "kind": rng.choice(KINDS),
             "confidence": round(rng.random(), 3), "status": rng.choice(STATUSES)}
        )  # fmt: skip
        chosen = [key for key, p in ASPECTS if rng.random() < p] or ["features"]
        aspects += [{"claim_id": claim_id, "aspect_key": key} for key in chosen]
        links.append({"claim_id": claim_id, "question_key": rng.choice(questions)})
        for j in range(results_per_claim):
            result_id = (claim_id - offset) * results_per_claim + j + 1_000_000
            params = 10 ** rng.uniform(6, 12.5)
            results.append(
                {**base, "id": result_id, "key": f"bench-result-{i}-{j}", "claim_id": claim_id,
                 "model_name": f"model-{rng.randrange(300)}", "params_basis": "disclosed", "params": params,
                 "params_low": params, "params_high": params, "method_key": rng.choice(METHODS),
                 "outcome": rng.choice(OUTCOMES), "safety_impact": rng.choice(IMPACTS)}
            )  # fmt: skip
            result_bands += [{"result_id": result_id, "band_key": k} for k in bands_spanned(bands, params, params)]
    for model, rows in [(Source, sources), (Claim, claims), (ClaimAspect, aspects), (ClaimQuestion, links),
                        (Result, results), (ResultBand, result_bands)]:  # fmt: skip
        started = time.perf_counter()
        bulk_insert(session, model, rows)
        print(f"  {model.__tablename__}: {len(rows):,} rows in {time.perf_counter() - started:.1f} s", flush=True)
    session.execute(text("ANALYZE"))  # planner statistics for the new rows (a bulk load skips autovacuum's wait)


def _sqlite_value(value):
    """As SQLAlchemy stores it in SQLite: datetimes as text, lists as JSON, booleans as 0/1."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, list):
        return json.dumps(value)
    return int(value) if isinstance(value, bool) else value


def bulk_insert(session: Session, model, rows: list[dict]) -> None:
    """executemany on the DBAPI cursor (SQLite) or COPY (PostgreSQL): no ORM, no per-row statement."""
    columns = list(rows[0])
    table = model.__tablename__
    raw = session.connection().connection.dbapi_connection
    if session.get_bind().dialect.name != "postgresql":
        statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        cursor = raw.cursor()
        cursor.executemany(statement, ([_sqlite_value(v) for v in row.values()] for row in rows))
        cursor.close()
        return
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(v) if isinstance(v, list) else v for v in row.values()])
    if "id" in columns:
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))


def timed(client: TestClient, url: str, repeats: int = 5, **kwargs) -> tuple[float, object]:
    """Median milliseconds of a GET, and its last response."""
    times, response = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(url, **kwargs)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code in (200, 304), (url, response.status_code, response.text[:300])
    return statistics.median(times), response


def nth_page_cursor(session: Session, model, expression, where, sort: str, page: int, size: int) -> str:
    """The cursor that a client would hold after walking page-1 pages (computed, not walked)."""
    descending = sort.startswith("-")
    order = [expression.desc(), model.id.desc()] if descending else [expression, model.id]
    value, row_id = session.execute(
        select(expression, model.id).where(*where).order_by(*order).offset((page - 1) * size - 1).limit(1)
    ).one()
    return encode_cursor(sort, value, row_id)


class Rows(list):
    """The measured rows, each printed as soon as it is measured."""

    def append(self, row: tuple[str, float, str]) -> None:
        super().append(row)
        print(f"  {row[0]}: {row[1]:.1f} ms {row[2]}", flush=True)


def run(url: str, n_claims: int, results_per_claim: int, deep: int = 1000, load: bool = True) -> list:
    print(f"database: {url}", flush=True)
    engine = build_engine(url)
    if load:
        upgrade(url)
        started = time.perf_counter()
        with session_scope(engine) as session:
            load_seed(session, PROJECT_ROOT / "data" / "seed")
            generate(session, n_claims, results_per_claim)
        print(f"loaded in {time.perf_counter() - started:.0f} s", flush=True)
    settings = Settings(environment="test", database_url=url, secret_key="bench", _env_file=None)
    api = "/api/v1"
    rows = Rows()
    with TestClient(create_app(settings)) as client, Session(engine) as session:
        features = [
            Claim.deleted_at.is_(None),
            Claim.id.in_(select(ClaimAspect.claim_id).where(ClaimAspect.aspect_key == "features")),
        ]
        for sort, expression in (("id", Claim.id), ("-confidence", Claim.confidence)):
            base = f"{api}/claims?aspect=features&sort={sort}&limit=50"
            ms, first = timed(client, base)
            rows.append((f"claims ?aspect=features&sort={sort}, page 1", ms, f"{first.json()['count']:,} matching"))
            cursor = nth_page_cursor(session, Claim, expression, features, sort, deep, 50)
            ms, deep_page = timed(client, f"{base}&cursor={cursor}")
            rows.append(
                (f"claims ?aspect=features&sort={sort}, page {deep}", ms, f"{len(deep_page.json()['data'])} rows")
            )
        where = [Result.deleted_at.is_(None), Result.outcome == "success"]
        base = f"{api}/results?outcome=success&limit=50"
        ms, first = timed(client, base)
        rows.append(("results ?outcome=success, page 1", ms, f"{first.json()['count']:,} matching"))
        cursor = nth_page_cursor(session, Result, Result.id, where, "id", deep, 50)
        ms, deep_page = timed(client, f"{base}&cursor={cursor}")
        rows.append((f"results ?outcome=success, page {deep}", ms, f"{len(deep_page.json()['data'])} rows"))
        for query in ("sparse autoencoder", "circuit faithfulness"):
            ms, found = timed(client, f"{api}/claims", params={"q": query, "limit": 50})
            rows.append((f"claims ?q={query}", ms, f"{found.json()['count']:,} matching"))
        for query in ("", "?aspect=circuits&outcome=success"):
            ms, _ = timed(client, f"{api}/stats{query}", repeats=1)
            rows.append((f"stats{query} (first, computed)", ms, ""))
            ms, _ = timed(client, f"{api}/stats{query}", repeats=3)
            rows.append((f"stats{query} (cached until the next write)", ms, ""))
        ms, first = timed(client, f"{api}/assessment", repeats=1)
        rows.append(("assessment (first, computed)", ms, ""))
        ms, _ = timed(client, f"{api}/assessment", repeats=3)
        rows.append(("assessment (fingerprint cached)", ms, ""))
        ms, _ = timed(client, f"{api}/assessment", repeats=3, headers={"If-None-Match": first.headers["etag"]})
        rows.append(("assessment If-None-Match (304)", ms, ""))
    engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="database URL (default: a new SQLite file)")
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--results-per-claim", type=int, default=10)
    parser.add_argument("--no-load", action="store_true", help="time an already loaded --url again")
    parser.add_argument("--deep-page", type=int, default=1000, help="the deep page to time (50 rows a page)")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    rows = run(url, args.claims, args.results_per_claim, args.deep_page, load=not args.no_load)
    print("\n| request | median ms | note |\n| --- | ---: | --- |")
    for name, ms, note in rows:
        print(f"| {name} | {ms:.1f} | {note} |")


if __name__ == "__main__":
    main()
