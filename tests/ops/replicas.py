"""App replicas as they run in production: `ceiling serve` processes on one PostgreSQL database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from app.config import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def replica_env(url: str, tmp_path: Path) -> dict[str, str]:
    """What every replica shares: the database, the secret key, the reports folder."""
    return {
        **os.environ,
        "CEILING_DATABASE_URL": url,
        "CEILING_SECRET_KEY": "shared-by-every-replica",
        "CEILING_ENVIRONMENT": "test",
        "CEILING_ASSESSMENT_WARM_START": "false",
        "CEILING_REPORTS_DIR": str(tmp_path / "reports"),
        "PYTHONPATH": str(PROJECT_ROOT),
    }


def start_replica(env: dict[str, str], port: int, log: Path, cwd: Path) -> subprocess.Popen:
    """`ceiling serve` on 127.0.0.1:port; stderr goes to the log (appended: a restart keeps what came before)."""
    return subprocess.Popen(
        [sys.executable, "-c", "from app.cli import main; main()", "serve", "--port", str(port)],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )


def wait_until(base: str, path: str, process: subprocess.Popen, log: Path, status: int = 200) -> None:
    """Wait until the replica answers path with status (a loaded CI machine imports the app slowly)."""
    deadline = time.time() + 180
    while True:
        try:
            if httpx.get(f"{base}{path}", timeout=2).status_code == status:
                return
        except httpx.HTTPError:
            pass
        tail = log.read_text(errors="replace")[-2000:]
        assert process.poll() is None, f"{base} exited with {process.returncode}:\n{tail}"
        assert time.time() < deadline, f"{base}{path} did not answer {status}:\n{tail}"
        time.sleep(0.3)


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        process.wait(20)
