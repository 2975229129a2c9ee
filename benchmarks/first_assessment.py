"""The worker's first assessment of a data version: the time from `ceiling worker`'s start to its first row in
`assessment_version` (the shared cache emptied before each run), and the worker's peak resident memory then,
on a SQLite file or a PostgreSQL database. Given several checkouts it alternates between them, so code is
compared on the same machine in the same minutes (docs/performance.md, "The first assessment of a fresh
process").

    .venv/bin/python benchmarks/first_assessment.py --url sqlite:///.bench/1m.db --runs 6
    git worktree add /tmp/before <commit>
    .venv/bin/python benchmarks/first_assessment.py --url postgresql+psycopg://postgres@127.0.0.1/bench1m \\
        --checkout . --checkout /tmp/before

The store is built once: benchmarks/datasette_vs_ceiling.py builds a SQLite file of N results (then
`ceiling db upgrade` on it); `ceiling export --all DIR` and `ceiling import --all DIR` copy it into PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text


def peak_mb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return 0


def first_assessment(url: str, checkout: Path, timeout_s: float) -> tuple[float, int]:
    """Seconds from the worker's start to its first stored assessment, and its peak resident MB then."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM assessment_version"))
        connection.execute(text("DELETE FROM assessment_cache"))
    env = dict(
        os.environ,
        PYTHONPATH=str(checkout),
        CEILING_DATABASE_URL=url,
        CEILING_ASSESSMENT_WORKER="external",
        CEILING_ASSESSMENT_POLL_S="0.2",
        CEILING_LOG_FORMAT="text",
    )
    command = [sys.executable, "-c", "from app.cli import main; main()", "worker"]
    started = time.perf_counter()
    worker = subprocess.Popen(command, cwd=checkout, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while True:
            with engine.connect() as connection:
                if connection.execute(text("SELECT count(*) FROM assessment_version")).scalar():
                    return time.perf_counter() - started, peak_mb(worker.pid)
            if worker.poll() is not None:
                sys.exit(f"the worker in {checkout} ended: {worker.stderr.read().decode()[-2000:]}")
            if time.perf_counter() - started > timeout_s:
                sys.exit(f"no assessment from the worker in {checkout} after {timeout_s:g} s")
            time.sleep(0.02)
    finally:
        worker.terminate()
        worker.wait(30)
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the store (SQLAlchemy URL), migrated and filled")
    parser.add_argument("--checkout", action="append", type=Path, help="a checkout to run (repeat to compare)")
    parser.add_argument("--runs", type=int, default=4, help="runs per checkout (default 4)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for one assessment")
    args = parser.parse_args()
    checkouts = [path.resolve() for path in args.checkout or [Path(__file__).resolve().parent.parent]]
    times: dict[Path, list[float]] = {path: [] for path in checkouts}
    for run in range(args.runs):
        for checkout in checkouts if run % 2 == 0 else checkouts[::-1]:  # alternate which goes first
            seconds, peak = first_assessment(args.url, checkout, args.timeout)
            times[checkout].append(seconds)
            print(f"run {run + 1} {checkout}: {seconds:.2f} s, peak resident {peak} MB", flush=True)
    for checkout, measured in times.items():
        spread = ", ".join(f"{seconds:.2f}" for seconds in measured)
        print(f"{checkout}: median {statistics.median(measured):.2f} s ({spread})")


if __name__ == "__main__":
    main()
