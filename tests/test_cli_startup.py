"""`ceiling --help` and the light commands start without importing the store, the web app or the engine; the
choices the commands name without importing their modules are the modules' own."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from app.auth.models import TokenScope
from app.cli import cli, evidence, users, webhooks
from app.evidence.interchange import exports, preview
from app.webhooks.models import WebhookEvent

HEAVY = ("sqlalchemy", "sqlmodel", "pandas", "numpy", "fastapi", "scipy", "matplotlib")  # typer brings rich itself
PROBE = """
import sys
from app.cli import main
sys.argv = ["ceiling", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print("imported:", *sorted({name.split(".")[0] for name in sys.modules} & set(HEAVY)))
"""


def _heavy_modules_after(*args: str) -> list[str]:
    code = f"HEAVY = {HEAVY!r}\n" + PROBE
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1].split()[1:]


def test_help_imports_none_of_the_heavy_libraries():
    assert _heavy_modules_after("--help") == []
    assert _heavy_modules_after("report", "--help") == []
    assert _heavy_modules_after("tokens", "create", "--help") == []


def test_the_worker_and_the_engine_start_without_scipy_stats():
    """scipy.stats costs 0.8 s of every worker's and fresh process's first assessment; the engine needs only the
    beta quantile, which scipy.special gives (betaincinv, the same values)."""
    code = "import sys, app.assessment.worker, app.scoring; print('scipy.stats' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_the_choices_named_by_the_commands_are_the_modules_own():
    assert set(webhooks.EVENTS) == {e.value for e in WebhookEvent}
    assert set(users.SCOPES) == {s.value for s in TokenScope}
    assert evidence.EXPORT_FORMATS == exports.EXPORT_FORMATS
    assert set(evidence.LISTS) == set(exports.LISTS)
    assert set(evidence.CHOICES) == set(preview.CHOICES)
    assert set(evidence.FIELD_CHOICES) == set(preview.FIELD_CHOICES)


def test_an_unknown_scope_or_event_is_refused_with_the_choices():
    runner = CliRunner()
    refused = runner.invoke(cli, ["tokens", "create", "someone", "--scope", "admin"])
    assert refused.exit_code == 2
    assert "read or write" in refused.output
    refused = runner.invoke(cli, ["webhooks", "add", "https://example.org/hook", "--event", "everything"])
    assert refused.exit_code == 2
    assert "report_published" in refused.output


def test_a_fresh_process_migrates_and_seeds_an_empty_database(tmp_path):
    """What `make run` does, each command in its own process: a command imports only its own modules, and the
    seed still finds every table its rows refer to (its history names users)."""
    env = {"CEILING_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}", "CEILING_ENVIRONMENT": "test"}
    for args in (["db", "upgrade"], ["seed", "--if-empty"]):
        code = f"import sys\nfrom app.cli import main\nsys.argv = ['ceiling', *{args!r}]\nmain()"
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
        assert done.returncode == 0, done.stderr[-2000:]
    assert "seed loaded" in done.stdout


WORKER_PROBE = """
import sys
from app.evidence.export import arrow

def started(url):
    print("imported:", *sorted({name.split(".")[0] for name in sys.modules} & {"pandas", "numpy", "scipy", "sqlmodel"}))
    raise SystemExit(0)

arrow.prefetch = started
from app.cli import main
sys.argv = ["ceiling", "worker"]
main()
"""


def test_the_worker_starts_reading_the_store_before_it_imports_the_engine(tmp_path):
    """The first assessment at 1M results waits for the whole read (about 2 s in a child process): the worker
    starts it first, so the child reads while the worker imports pandas and the engine (docs/performance.md)."""
    env = {"PATH": "/usr/bin:/bin", "CEILING_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}"}
    done = subprocess.run([sys.executable, "-c", WORKER_PROBE], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "imported:"
