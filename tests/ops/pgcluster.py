"""A throwaway PostgreSQL cluster of the test's own (initdb + pg_ctl in a temp folder), to stop and start."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from tests.support.unavailable import unavailable


def _bin_dir() -> Path | None:
    for path in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.access(os.path.join(path, "initdb"), os.X_OK):
            return Path(path)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """initdb'd into a temp folder, listening on 127.0.0.1 at a free port only (trust auth, user postgres).

    PostgreSQL refuses to run as root, so under root the server runs as the `postgres` system user."""

    def __init__(self):
        self.bin = _bin_dir()
        if self.bin is None:
            unavailable("PostgreSQL server binaries (initdb, pg_ctl) not found")
        self.prefix: list[str] = []
        folder = Path(tempfile.mkdtemp(prefix="ceiling-pg-"))
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                unavailable("running as root and there is no `postgres` user to run a server as")
            os.chown(folder, owner.pw_uid, owner.pw_gid)
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self.folder = folder
        self.data = folder / "data"
        self.port = _free_port()
        self.log = folder / "server.log"
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        settings = f"listen_addresses='127.0.0.1'\nport={self.port}\nunix_socket_directories='{folder}'\nfsync=off\n"
        self._run("sh", "-c", f'printf "%s" "{settings}" >> {self.data / "postgresql.conf"}')

    def _run(self, tool: str, *args: str) -> None:
        program = tool if tool == "sh" else str(self.bin / tool)
        subprocess.run([*self.prefix, program, *args], check=True, capture_output=True, timeout=120, cwd=self.folder)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def remove(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.folder, ignore_errors=True)
