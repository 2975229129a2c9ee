"""Atomic publishing under the reports directory: a snapshot folder appears whole or not at all, and
`latest` switches from one complete folder to the next in a single rename.

1. files are written (and fsynced) into a hidden staging folder `.staging-<random>`;
2. the staging folder is renamed to `<YYYY-MM-DD>-<fingerprint[:12]>` (rename is atomic);
3. `latest` is replaced by a new symlink through os.replace of a temporary one (atomic), and
   `latest.txt` names the folder for platforms without symlinks (also written then renamed).
A failure removes the staging folder; a kill leaves at most a hidden staging folder, removed by the
next build. `latest` always names a complete folder.

`on_step` is a fault-injection hook: it is called with the name of each step as it completes
("staged", "renamed", "link swapped", "pointer swapped"), so a test can kill the process there.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path

STAGING_PREFIX = ".staging-"
LATEST = "latest"
LATEST_TXT = "latest.txt"
STALE_STAGING_S = 3600


def _no_fault(_step: str) -> None:
    return None


on_step: Callable[[str], None] = _no_fault


def write_file(path: Path, text: str) -> None:
    """Write a file and flush it to disk."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove_stale_staging(reports_dir: Path, older_than_s: float = STALE_STAGING_S) -> None:
    """Remove staging folders left by killed builds (only old ones: a live build may be writing)."""
    if not reports_dir.exists():
        return
    now = time.time()
    for entry in reports_dir.iterdir():
        if entry.name.startswith(STAGING_PREFIX) and now - entry.stat().st_mtime > older_than_s:
            shutil.rmtree(entry, ignore_errors=True)


def free_name(reports_dir: Path, base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`... when a folder or a snapshot row already has the name."""
    name, n = base, 1
    while name in taken or (reports_dir / name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def current_latest(reports_dir: Path) -> str | None:
    """The folder name `latest` points at (the symlink, else latest.txt), or None."""
    link = reports_dir / LATEST
    if link.is_symlink():
        return os.readlink(link).rstrip("/").split("/")[-1]
    pointer = reports_dir / LATEST_TXT
    if pointer.exists():
        return pointer.read_text(encoding="utf-8").strip() or None
    return None


def point_latest(reports_dir: Path, name: str) -> None:
    """Switch `latest` (and latest.txt) to the folder `name`, each in one atomic rename."""
    token = uuid.uuid4().hex[:8]
    pointer_tmp = reports_dir / f".{LATEST_TXT}.{token}"
    write_file(pointer_tmp, name + "\n")
    link_tmp = reports_dir / f".{LATEST}.{token}"
    try:
        os.symlink(name, link_tmp, target_is_directory=True)
    except (OSError, NotImplementedError):
        link_tmp = None  # no symlinks here: latest.txt is the pointer
    if link_tmp is not None:
        os.replace(link_tmp, reports_dir / LATEST)
        on_step("link swapped")
    os.replace(pointer_tmp, reports_dir / LATEST_TXT)
    _fsync_dir(reports_dir)
    on_step("pointer swapped")


def publish(reports_dir: Path, name: str, files: dict[str, Callable[[], str]]) -> Path:
    """Write `files` (name -> producer of the text) as the folder `name` and point `latest` at it."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    staging = reports_dir / f"{STAGING_PREFIX}{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        for file_name, produce in files.items():
            write_file(staging / file_name, produce())
        _fsync_dir(staging)
        on_step("staged")
        os.rename(staging, reports_dir / name)
        on_step("renamed")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _fsync_dir(reports_dir)
    return reports_dir / name


def unpublish(reports_dir: Path, name: str, previous: str | None) -> None:
    """Undo a publish whose database record failed: `latest` back to `previous`, the folder removed."""
    if previous is not None and (reports_dir / previous).is_dir():
        point_latest(reports_dir, previous)
    else:
        for pointer in (reports_dir / LATEST, reports_dir / LATEST_TXT):
            with contextlib.suppress(FileNotFoundError):
                os.remove(pointer)
    trash = reports_dir / f"{STAGING_PREFIX}{uuid.uuid4().hex}"
    with contextlib.suppress(OSError):
        os.rename(reports_dir / name, trash)
        shutil.rmtree(trash, ignore_errors=True)
