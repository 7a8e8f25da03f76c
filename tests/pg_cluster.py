"""A throwaway PostgreSQL cluster for tests and benchmarks (server mode), when the binaries exist.

``initdb`` refuses root, so as root the cluster runs as the ``postgres`` user in a temp folder it
owns. It listens on 127.0.0.1 on a port the OS chose, trusts local connections (it is a test
cluster, gone at exit) and has PostGIS available. ``.ci/run`` starts one the same way.
"""

from __future__ import annotations

import os
import pathlib
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass

BIN_DIRS = [pathlib.Path(p) for p in ("/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin",
                                      "/usr/lib/postgresql/15/bin")]


def bin_dir() -> pathlib.Path | None:
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return pathlib.Path(found).parent
    return next((d for d in BIN_DIRS if (d / "initdb").exists()), None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Cluster:
    data_dir: pathlib.Path
    port: int
    bin: pathlib.Path
    user: str | None  # run commands as this user (root cannot run postgres)

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def database_url(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data_dir), "-w", "-t", "60", "-l", str(self.data_dir / "log"),
                  "-o", f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories='' "
                        "-c fsync=off -c max_connections=300", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data_dir), "-w", "-m", mode, "stop", check=False)

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return self.database_url(name)

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)


def start_cluster() -> Cluster | None:
    """A running throwaway cluster, or None when PostgreSQL is not installed here."""
    binaries = bin_dir()
    if binaries is None:
        return None
    root = pathlib.Path(tempfile.mkdtemp(prefix="zbk-pg-"))
    data = root / "data"
    user = None
    if os.geteuid() == 0:
        user = "postgres"
        try:
            entry = pwd.getpwnam(user)
        except KeyError:
            return None
        os.chmod(root, 0o755)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    cluster = Cluster(data, free_port(), binaries, user)
    cluster._run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
    cluster.start()
    deadline = time.monotonic() + 30
    import psycopg

    while True:
        try:
            psycopg.connect(cluster.url, connect_timeout=2).close()
            return cluster
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
