"""Audit the lock files against a local copy of an OSV advisory database, with no network.

    python tools/audit_lock.py --advisories DIR requirements.lock [requirements-dev.lock ...]

DIR holds OSV advisories as YAML or JSON files, e.g. a checkout of github.com/pypa/advisory-database (its vulns/
folder) or an unzipped export of osv.dev's PyPI advisories, copied in from a machine that reaches them. A pinned
version is affected when an advisory lists it among its `versions` or its ECOSYSTEM ranges take it in (introduced
<= version < fixed, or <= last_affected). Withdrawn advisories are left out. Exit 1 when a pin is affected, 2 when
DIR holds no advisory (an empty copy must not pass as a clean audit).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[A-Za-z0-9_,.-]+\])?==([^\s;\\]+)")


def read_pins(lock: Path) -> dict[str, str]:
    """Every `name==version` (or `name[extras]==version`) line of a requirements lock file, by canonical name."""
    return {
        canonicalize_name(found.group(1)): found.group(2)
        for found in map(PIN.match, lock.read_text().splitlines())
        if found
    }


def _version(text: str) -> Version | None:
    try:
        return Version(str(text))
    except InvalidVersion:
        return None


def _in_range(version: Version, events: list[dict]) -> bool:
    """Whether an OSV ECOSYSTEM range's events (in order) take the version in."""
    affected = False
    for event in events:
        introduced, fixed, last = (_version(event.get(k, "")) for k in ("introduced", "fixed", "last_affected"))
        if "introduced" in event and (event["introduced"] == "0" or (introduced and version >= introduced)):
            affected = True
        if fixed and version >= fixed or last and version > last:
            affected = False
    return affected


def affects(advisory: dict, name: str, pinned: str) -> bool:
    version = _version(pinned)
    for affected in advisory.get("affected", []):
        package = affected.get("package", {})
        if package.get("ecosystem") != "PyPI" or canonicalize_name(package.get("name", "")) != name:
            continue
        if pinned in map(str, affected.get("versions", [])):
            return True
        ranges = [r for r in affected.get("ranges", []) if r.get("type") == "ECOSYSTEM"]
        if version is not None and any(_in_range(version, r.get("events", [])) for r in ranges):
            return True
    return False


def advisories(folder: Path):
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".yaml", ".yml", ".json") and path.is_file():
            text = path.read_text()
            data = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=SAFE_LOADER)
            if isinstance(data, dict) and "affected" in data and not data.get("withdrawn"):
                yield data


def audit(folder: Path, locks: list[Path], ignored: frozenset[str] = frozenset()) -> tuple[int, list[str]]:
    """How many advisories were read, and one line per affected pin (but those of the ignored advisory ids)."""
    pins = {name: version for lock in locks for name, version in read_pins(lock).items()}
    read, found = 0, []
    for advisory in advisories(folder):
        read += 1
        if ignored & {advisory["id"], *advisory.get("aliases", [])}:
            continue
        for name, version in sorted(pins.items()):
            if affects(advisory, name, version):
                aliases = ", ".join(advisory.get("aliases", []))
                found.append(f"{name}=={version}: {advisory['id']} ({aliases})".replace(" ()", ""))
    return read, found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--advisories", type=Path, required=True, help="folder of OSV advisories (YAML or JSON)")
    parser.add_argument("--ignore", action="append", default=[], help="an advisory id or alias judged not to apply")
    parser.add_argument("locks", type=Path, nargs="+", help="requirements lock files")
    args = parser.parse_args(argv)
    read, found = audit(args.advisories, args.locks, frozenset(args.ignore))
    if read == 0:
        print(f"error: no OSV advisory in {args.advisories}", file=sys.stderr)
        return 2
    for line in found:
        print(line)
    pins = len({n for lock in args.locks for n in read_pins(lock)})
    print(f"{len(found)} known vulnerabilities in {pins} pinned packages ({read} advisories read)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
