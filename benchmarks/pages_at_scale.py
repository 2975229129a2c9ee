"""Every page a reader opens, first hit and warm, beside Datasette's equivalent page on the same file, and the
memory of each process (the `bench` extra).

    .venv/bin/python benchmarks/pages_at_scale.py --db .bench/1m.db   # reuse a database (built once: --results)
    .venv/bin/python benchmarks/pages_at_scale.py --results 100000     # build a smaller one in a temp folder

The deployment of docs/performance.md: one `ceiling worker` (CEILING_ASSESSMENT_WORKER=external) that holds
the evidence, one `ceiling serve` web process that only reads the shared cache, and `datasette serve` on the
same SQLite file. The worker's first assessment of the data version is timed from its start (the cache is
emptied first). Then each round, alternating which server goes first, asks every page once from a process
whose caches are fresh for it (Ceiling's web process is restarted each round: its "first" is a new process's
first request; Datasette's too) and then WARM more times. Prints the median of the rounds per page, and each
process's peak resident memory (VmHWM), worker included.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from datasette_vs_ceiling import _port, _wait, build  # noqa: E402

BIN = Path(sys.executable).parent


PUBLIC_CLAIM = "SELECT max(id) FROM claim WHERE status = 'reviewed' AND deleted_at IS NULL"  # drafts are not public


def pages(db: Path) -> list[tuple[str, str, str | None]]:
    """(name, Ceiling's path, Datasette's equivalent path or None)."""
    name = db.stem
    with sqlite3.connect(db) as connection:
        claim = connection.execute(PUBLIC_CLAIM).fetchone()[0]
        source = connection.execute("SELECT max(id) FROM source").fetchone()[0]
        question = connection.execute("SELECT key FROM research_question ORDER BY number LIMIT 1").fetchone()[0]
    return [
        ("home", "/", f"/{name}"),
        ("results list", "/results", f"/{name}/result?_sort_desc=params"),
        ("claims list with facets", "/claims", f"/{name}/claim?_facet=stance&_facet=status&_facet=kind"),
        ("claims of a question", f"/claims?question={question}", f"/{name}/claim_question?question_key={question}"),
        ("sources list", "/sources", f"/{name}/source"),
        ("a claim", f"/claims/{claim}", f"/{name}/claim/{claim}"),
        ("a source", f"/sources/{source}", f"/{name}/source/{source}"),
        ("live assessment", "/assessment", None),
        ("latest report", "/reports/latest", None),
        ("trajectory (snapshots only)", "/reports/trajectory?points=0", None),
        ("trajectory (6 as-of points: pending at first)", "/reports/trajectory", None),
    ]


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed(client: httpx.Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")
    return elapsed


def start(command: list[str], env: dict, workdir: Path) -> subprocess.Popen:
    return subprocess.Popen(command, env=env, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:  # noqa: PLR0915 - one benchmark run, step by step
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="reuse this database (built by an earlier run)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warm", type=int, default=3, help="warm requests per page and round")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ceiling-pages-"))
    db = args.db
    if db is None:
        db = workdir / "bench.db"
        build(db, args.results)
    env = {**os.environ, "CEILING_DATABASE_URL": f"sqlite:///{db.resolve()}", "CEILING_SECRET_KEY": "benchmark",
           "CEILING_ENVIRONMENT": "test", "CEILING_LOG_LEVEL": "WARNING", "CEILING_ASSESSMENT_WORKER": "external",
           "CEILING_ASSESSMENT_WAIT_S": "120", "CEILING_REPORTS_DIR": str(workdir / "reports")}  # fmt: skip
    subprocess.run([str(BIN / "ceiling"), "db", "upgrade"], env=env, check=True, capture_output=True)
    with sqlite3.connect(db) as connection:
        connection.execute("DELETE FROM assessment_version")
        connection.execute("DELETE FROM assessment_cache")
    started = time.perf_counter()
    worker = start([str(BIN / "ceiling"), "worker"], env, workdir)
    while not sqlite3.connect(db).execute("SELECT count(*) FROM assessment_version").fetchone()[0]:
        time.sleep(0.1)
    print(f"worker: first assessment of the data version {time.perf_counter() - started:.1f} s after its start",
          flush=True)  # fmt: skip
    started = time.perf_counter()
    subprocess.run([str(BIN / "ceiling"), "report", "build"], env=env, check=True, capture_output=True)
    print(f"report build (assessment from the worker): {time.perf_counter() - started:.1f} s", flush=True)
    plan = pages(db)
    times: dict[tuple[str, str, str], list[float]] = {}
    memory: dict[str, float] = {}
    try:
        for round_number in range(args.rounds):
            order = ["ceiling", "datasette"] if round_number % 2 == 0 else ["datasette", "ceiling"]
            for server in order:
                port = _port()
                if server == "ceiling":
                    process = start([str(BIN / "ceiling"), "serve", "--port", str(port)], env, workdir)
                    _wait(f"http://127.0.0.1:{port}/readyz")
                else:
                    settings = ["--setting", "sql_time_limit_ms", "20000", "--setting", "suggest_facets", "off"]
                    command = [str(BIN / "datasette"), "serve", str(db), "--port", str(port), *settings]
                    process = start(command, env, workdir)
                    _wait(f"http://127.0.0.1:{port}/-/versions.json")
                try:
                    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=300) as client:
                        for name, ceiling_path, datasette_path in plan:
                            path = ceiling_path if server == "ceiling" else datasette_path
                            if path is None:
                                continue
                            times.setdefault((name, server, "first"), []).append(timed(client, path))
                            warm = [timed(client, path) for _ in range(args.warm)]
                            times.setdefault((name, server, "warm"), []).append(statistics.median(warm))
                            print(f"  round {round_number + 1}, {server}, {name}: first "
                                  f"{times[(name, server, 'first')][-1]:.3f} s, warm {statistics.median(warm):.3f} s",
                                  flush=True)  # fmt: skip
                    memory[server] = max(memory.get(server, 0.0), peak_mb(process.pid))
                finally:
                    process.terminate()
                    process.wait(30)
        memory["worker"] = peak_mb(worker.pid)
    finally:
        worker.terminate()
        worker.wait(30)
    print(f"\n{args.rounds} rounds, alternating; medians of the rounds (warm: median of {args.warm} per round)\n")
    print("| page | Ceiling first s | Ceiling warm s | Datasette first s | Datasette warm s |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, _c, datasette_path in plan:
        cells = [f"{statistics.median(times[(name, 'ceiling', kind)]):.3f}" for kind in ("first", "warm")]
        cells += [
            f"{statistics.median(times[(name, 'datasette', kind)]):.3f}" if datasette_path else "n/a"
            for kind in ("first", "warm")
        ]
        print(f"| {name} | {' | '.join(cells)} |")
    print("\n| process | peak resident MB |\n| --- | ---: |")
    for name, mb in memory.items():
        print(f"| {name} | {mb:.0f} |")


if __name__ == "__main__":
    main()
