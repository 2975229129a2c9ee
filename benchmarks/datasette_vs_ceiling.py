"""Ceiling's list endpoint against Datasette on the same SQLite file and the same query (the `bench` extra).

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/datasette_vs_ceiling.py                  # builds 1M results in a temp folder
    .venv/bin/python benchmarks/datasette_vs_ceiling.py --results 100000 # smaller
    .venv/bin/python benchmarks/datasette_vs_ceiling.py --db FILE        # reuse a database built before

One database (tests/api/bench_api.py's generator: 100k claims, 10 results each), both servers started as
subprocesses on it (Ceiling: `ceiling serve`, one worker; Datasette: `datasette serve` with a 50-row page,
facet suggestions off, as Ceiling computes none, and a 20 s time limit so its counts finish), and one load tool for both: CONCURRENCY keep-alive connections of an asyncio httpx
client sending the same request for DURATION seconds. Rounds alternate which server goes first. Two
queries: the first page of results filtered by outcome (with its total count, as both return), and a deep
page of that filter (page 1000, reached by each server's own keyset token: Ceiling's cursor, Datasette's
_next). Prints req/s, p50 and p99 per server and query, and the ratio Ceiling / Datasette.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "api"))


def build(path: Path, results: int) -> None:
    from bench_api import generate
    from sqlalchemy import text

    from app.config import PROJECT_ROOT
    from app.db.engine import build_engine
    from app.db.session import session_scope
    from app.evidence.seed import load_seed
    from app.db.migrate import upgrade

    url = f"sqlite:///{path}"
    upgrade(url)
    engine = build_engine(url)
    with session_scope(engine) as session:
        load_seed(session, PROJECT_ROOT / "data" / "seed")
        generate(session, max(1, results // 10), 10)
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str) -> None:
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def start_servers(db: Path, workdir: Path) -> tuple[list[subprocess.Popen], str, str]:
    ceiling_port, datasette_port = _port(), _port()
    env = {
        **os.environ,
        "CEILING_DATABASE_URL": f"sqlite:///{db}",
        "CEILING_SECRET_KEY": "benchmark",
        "CEILING_ENVIRONMENT": "test",
        "CEILING_LOG_LEVEL": "WARNING",
        "CEILING_ASSESSMENT_WARM_START": "false",
    }
    bin_dir = Path(sys.executable).parent
    ceiling = subprocess.Popen(
        [str(bin_dir / "ceiling"), "serve", "--port", str(ceiling_port)],
        env=env, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    datasette = subprocess.Popen(
        [str(bin_dir / "datasette"), "serve", str(db), "--port", str(datasette_port),
         "--setting", "default_page_size", "50", "--setting", "sql_time_limit_ms", "20000",
         "--setting", "suggest_facets", "off"],
        cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    ceiling_base, datasette_base = f"http://127.0.0.1:{ceiling_port}", f"http://127.0.0.1:{datasette_port}"
    _wait(f"{ceiling_base}/readyz")
    _wait(f"{datasette_base}/-/versions.json")
    return [ceiling, datasette], ceiling_base, datasette_base


def queries(ceiling: str, datasette: str, db: Path, deep: int) -> dict[str, dict[str, str]]:
    """The two queries in each server's own URL; the deep page found by walking each one's keyset token."""
    name = db.stem
    first = {
        "ceiling": f"{ceiling}/api/v1/results?outcome=success&limit=50",
        "datasette": f"{datasette}/{name}/result.json?outcome=success&deleted_at__isnull=1&_size=50&_shape=objects",
    }
    import sqlite3

    with sqlite3.connect(db) as connection:
        (after_id,) = connection.execute(
            "SELECT id FROM result WHERE outcome = 'success' AND deleted_at IS NULL ORDER BY id LIMIT 1 OFFSET ?",
            ((deep - 1) * 50 - 1,),
        ).fetchone()
    from app.evidence.services.listing import encode_cursor

    return {
        "results ?outcome=success, page 1": first,
        f"results ?outcome=success, page {deep}": {
            "ceiling": f"{first['ceiling']}&cursor={encode_cursor('id', after_id, after_id)}",
            "datasette": f"{first['datasette']}&_next={after_id}",
        },
    }


async def load(url: str, duration: float, concurrency: int) -> list[float]:
    """Latencies (s) of the requests completed by `concurrency` connections in `duration` seconds."""
    latencies: list[float] = []
    stop = time.perf_counter() + duration
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def worker() -> None:
            while time.perf_counter() < stop:
                started = time.perf_counter()
                response = await client.get(url)
                if response.status_code != 200:
                    raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")
                latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


def summary(latencies: list[float], duration: float) -> tuple[float, float, float]:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return len(ordered) / duration, statistics.median(ordered) * 1000, p99 * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="reuse this database (built by an earlier run)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per server, query and round")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--deep", type=int, default=1000, help="page number of the deep page")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ceiling-bench-"))
    db = args.db
    if db is None:
        db = workdir / "bench.db"
        started = time.perf_counter()
        build(db, args.results)
        print(f"built {db} ({args.results:,} results) in {time.perf_counter() - started:.0f} s", flush=True)
    processes, ceiling, datasette = start_servers(db, workdir)
    try:
        measured: dict[tuple[str, str], list[float]] = {}
        plan = queries(ceiling, datasette, db, args.deep)
        for urls in plan.values():  # warm both (page cache, Ceiling's count cache, Datasette's)
            for url in urls.values():
                asyncio.run(load(url, 1.0, 1))
        for round_number in range(args.rounds):
            order = ["ceiling", "datasette"] if round_number % 2 == 0 else ["datasette", "ceiling"]
            for label, urls in plan.items():
                for server in order:
                    latencies = asyncio.run(load(urls[server], args.duration, args.concurrency))
                    measured.setdefault((label, server), []).extend(latencies)
        total = args.duration * args.rounds
        print(f"\n{args.concurrency} connections, {args.rounds} rounds x {args.duration:g} s, alternating\n")
        print("| query | server | req/s | p50 ms | p99 ms | Ceiling / Datasette (req/s) |")
        print("| --- | --- | ---: | ---: | ---: | ---: |")
        for label in plan:
            rates = {}
            for server in ("ceiling", "datasette"):
                rate, p50, p99 = summary(measured[(label, server)], total)
                rates[server] = rate
                ratio = f"{rates['ceiling'] / rate:.2f}x" if server == "datasette" else ""
                print(f"| {label} | {server} | {rate:.0f} | {p50:.1f} | {p99:.1f} | {ratio} |", flush=True)
    finally:
        for process in processes:
            process.terminate()
            process.wait(30)
        if args.db is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
