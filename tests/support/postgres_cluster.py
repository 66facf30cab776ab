"""A private PostgreSQL server for tests that stop and start it, which the shared one is not for.

It is a cluster of its own (`initdb` into a temporary folder), on a free port of 127.0.0.1,
with trust authentication for the `postgres` user. PostgreSQL refuses to run as root, so as
root its commands run as the `postgres` OS user (`runuser`), which must then exist.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.servers import free_port

#: Where Debian and Ubuntu install PostgreSQL's server binaries, one folder per major version.
INSTALLED = Path("/usr/lib/postgresql")


def binaries() -> Path | None:
    """The folder of `initdb` and `pg_ctl`: the newest of Debian's (/usr/lib/postgresql/*/bin),
    else PATH's; None when PostgreSQL's server binaries are not installed."""
    found = [
        path.parent for path in INSTALLED.glob("*/bin/initdb") if path.with_name("pg_ctl").exists()
    ]
    if found:
        return max(found, key=lambda folder: (len(folder.parent.name), folder.parent.name))
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return Path(initdb).resolve().parent
    return None


class Cluster:
    """A PostgreSQL cluster in `folder`, served on 127.0.0.1:`port` while started."""

    def __init__(self, bin_folder: Path, folder: Path, port: int) -> None:
        self.bin = bin_folder
        self.folder = folder
        self.data = folder / "data"
        self.port = port
        # PostgreSQL will not run as root: then it runs as the postgres OS user.
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, program: str, *args: str, timeout: float = 60) -> None:
        done = subprocess.run(
            [*self._as, str(self.bin / program), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.folder,  # runuser keeps the current folder, which the user must reach
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{program} {' '.join(args)} failed ({done.returncode}):\n"
                f"{done.stdout}{done.stderr}{self.log()}"
            )

    def init(self) -> None:
        # No fsync: the data is thrown away after the test, and it makes initdb and every
        # commit faster.
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync")

    def start(self) -> None:
        """Starts the server and returns once it accepts connections."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1"
            f" -c unix_socket_directories={self.folder} -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=30"
        )
        log = str(self.folder / "server.log")
        self._run(
            "pg_ctl", "start", "-D", str(self.data), "-l", log, "-o", options, "-w", "-t", "30"
        )

    def stop(self, mode: str = "fast") -> None:
        """Stops the server: `fast` ends the open sessions at once, as a restart for
        maintenance or a failover does, and returns once it is down."""
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", mode, "-w", "-t", "30")

    def running(self) -> bool:
        done = subprocess.run(
            [*self._as, str(self.bin / "pg_ctl"), "status", "-D", str(self.data)],
            capture_output=True,
            cwd=self.folder,
        )
        return done.returncode == 0

    def log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""


@contextmanager
def private_cluster(bin_folder: Path) -> Iterator[Cluster]:
    """A new cluster, started; stopped and deleted after."""
    folder = Path(tempfile.mkdtemp(prefix="elections-pg-"))
    try:
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(folder, user.pw_uid, user.pw_gid)
        cluster = Cluster(bin_folder, folder, free_port())
        cluster.init()
        cluster.start()
        try:
            yield cluster
        finally:
            if cluster.running():
                cluster.stop("immediate")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
