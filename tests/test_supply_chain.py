"""Reproducible installs: the lock files pin every dependency of pyproject.toml at a version its range admits, with
hashes; the two commands, CI and the image install from them; the image's base is pinned by digest."""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from app.config import PROJECT_ROOT

PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)(?:\s*;\s*([^\\]+?))?\s*\\?$")


def _pins(name: str) -> dict[str, tuple[str, int]]:
    """Each pinned package of a lock file: its version and how many hashes it carries."""
    pins: dict[str, tuple[str, int]] = {}
    current = None
    for line in (PROJECT_ROOT / name).read_text().splitlines():
        found = PIN.match(line)
        if found:
            current = canonicalize_name(found.group(1))
            pins[current] = (found.group(2), 0)
        elif line.strip().startswith("--hash=sha256:") and current:
            pins[current] = (pins[current][0], pins[current][1] + 1)
    return pins


def _required(*extras: str) -> list[Requirement]:
    project = PYPROJECT["project"]
    wanted = [*project["dependencies"], *PYPROJECT["build-system"]["requires"]]
    for extra in extras:
        wanted += project["optional-dependencies"][extra]
    return [Requirement(r) for r in wanted]


def _assert_locked(lock: str, requirements: list[Requirement]) -> None:
    pins = _pins(lock)
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in {lock}: run `make lock`"
        version, hashes = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock} pins {name}=={version}, outside {requirement.specifier} of pyproject.toml: run `make lock`"
        )
        assert hashes >= 1, f"{name} has no hash in {lock}"


def test_the_dev_lock_pins_every_dependency_and_extra_within_its_range_with_hashes():
    _assert_locked("requirements-dev.lock", _required(*PYPROJECT["project"]["optional-dependencies"]))


def test_the_run_lock_pins_the_app_at_the_versions_the_tests_run():
    _assert_locked("requirements.lock", _required())
    dev = _pins("requirements-dev.lock")
    for name, (version, _) in _pins("requirements.lock").items():
        assert dev[name][0] == version, f"{name}: {version} deployed, {dev[name][0]} tested"


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
