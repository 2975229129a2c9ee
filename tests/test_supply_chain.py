"""Reproducible installs: the lock files pin every dependency of pyproject.toml at a version its range admits, with
hashes; the two commands, CI and the image install from them; the image's base is pinned by digest; the offline
audit finds a locked version that an advisory names."""

from __future__ import annotations

import json
import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from app.config import PROJECT_ROOT
from tools.audit_lock import main as audit_main
from tools.audit_lock import read_pins

PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())


def _required(*extras: str) -> list[Requirement]:
    project = PYPROJECT["project"]
    wanted = [*project["dependencies"], *PYPROJECT["build-system"]["requires"]]
    for extra in extras:
        wanted += project["optional-dependencies"][extra]
    return [Requirement(r) for r in wanted]


def _assert_locked(lock: str, requirements: list[Requirement]) -> None:
    pins = read_pins(PROJECT_ROOT / lock)
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in {lock}: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{lock} pins {name}=={pins[name]}, outside {requirement.specifier} of pyproject.toml: run `make lock`"
        )
    blocks = re.split(r"\n(?=\S)", (PROJECT_ROOT / lock).read_text())
    # pip 23 with --require-hashes refuses `psycopg[binary]` unless the lock names the extra on the pin itself
    heads = {b.split()[0].split("==")[0].lower() for b in blocks if "==" in b.split()[0]}
    for requirement in requirements:
        if requirement.extras:
            extras = ",".join(sorted(requirement.extras))
            assert f"{canonicalize_name(requirement.name)}[{extras}]" in heads, f"{lock} drops [{extras}]: make lock"
    unhashed = [b.split()[0] for b in blocks if "==" in b.split()[0] and "--hash=sha256:" not in b]
    assert unhashed == [], f"pinned without a hash in {lock}: {unhashed}"


def test_the_dev_lock_pins_every_dependency_and_extra_within_its_range_with_hashes():
    _assert_locked("requirements-dev.lock", _required(*PYPROJECT["project"]["optional-dependencies"]))


def test_the_run_lock_pins_the_app_at_the_versions_the_tests_run():
    _assert_locked("requirements.lock", _required())
    dev = read_pins(PROJECT_ROOT / "requirements-dev.lock")
    for name, version in read_pins(PROJECT_ROOT / "requirements.lock").items():
        assert dev[name] == version, f"{name}: {version} deployed, {dev[name]} tested"


def test_the_two_commands_and_ci_install_from_the_locks_only():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    installs = [line.strip() for line in makefile.splitlines() if re.search(r"pip install", line)]
    assert "$(BIN)/pip install --quiet --require-hashes -r $(LOCK)" in installs
    assert "$(BIN)/pip install --quiet --require-hashes -r $(DEV_LOCK)" in installs
    for line in installs:
        assert "--require-hashes" in line or "--no-deps" in line or "uv==$(UV_VERSION)" in line, line
    assert re.search(r"^run: \$\(STAMP_RUN\)", makefile, re.M) and re.search(r"^test: \$\(STAMP_DEV\)", makefile, re.M)
    assert "make test" in (PROJECT_ROOT / ".ci" / "run").read_text()


def test_the_image_installs_from_the_lock_on_a_base_pinned_by_digest():
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11[\w.-]*@sha256:[0-9a-f]{64}$", dockerfile, re.M), "pin the base by digest"
    installs = re.findall(r"pip install [^&\n]+", dockerfile)
    assert installs[0].strip() == "pip install --require-hashes -r requirements.lock"
    assert all("--require-hashes" in i or "--no-deps" in i for i in installs), installs


def _advisory(folder, name: str, **affected) -> None:
    package = {"package": {"name": name, "ecosystem": "PyPI"}, **affected}
    body = {"id": f"TEST-{len(list(folder.iterdir()))}", "aliases": ["CVE-0000-1"], "affected": [package]}
    (folder / f"{body['id']}.json").write_text(json.dumps(body))


def test_the_offline_audit_finds_a_locked_version_an_advisory_names_and_refuses_an_empty_database(tmp_path, capsys):
    lock = PROJECT_ROOT / "requirements.lock"
    jinja = read_pins(lock)["jinja2"]
    folder = tmp_path / "advisories"
    folder.mkdir()
    assert audit_main(["--advisories", str(folder), str(lock)]) == 2, "an empty copy is no clean audit"
    _advisory(folder, "Jinja2", ranges=[{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0"}]}])
    _advisory(folder, "pyyaml", versions=["5.3"])
    assert audit_main(["--advisories", str(folder), str(lock)]) == 0
    _advisory(folder, "jinja2", ranges=[{"type": "ECOSYSTEM", "events": [{"introduced": "3.0"}, {"fixed": "99"}]}])
    _advisory(folder, "sqlalchemy", versions=[read_pins(lock)["sqlalchemy"]])
    assert audit_main(["--advisories", str(folder), str(lock)]) == 1
    report = capsys.readouterr().out
    assert f"jinja2=={jinja}: TEST-2 (CVE-0000-1)" in report and "sqlalchemy==" in report
    assert "2 known vulnerabilities" in report
    assert audit_main(["--advisories", str(folder), "--ignore", "TEST-2", "--ignore", "TEST-3", str(lock)]) == 0
