"""The server in a subprocess, as it runs for real: `uvicorn server:create_app --factory`
(what a developer starts) or `elections serve` (what production starts), on a free port,
loading the test world at start unless told otherwise (LOAD_FIXTURES)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import httpx
import pytest

from service.settings import ROOT
from tests.support.world import WORLD

#: Seconds a server may take to answer its first request (it migrates and loads the world).
START_SECONDS = 60


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """A running server: its base URL, its process, and what it has logged so far."""

    def __init__(self, url: str, process: subprocess.Popen[bytes], log: IO[str]) -> None:
        self.url = url
        self.process = process
        self._log = log

    def output(self) -> str:
        self._log.seek(0)
        return self._log.read()

    def log_lines(self) -> list[dict[str, Any]]:
        """The JSON lines of its log (uvicorn writes two plain ones before the app starts)."""
        return [json.loads(line) for line in self.output().splitlines() if line.startswith("{")]

    def error_logged_for(self, request_id: str) -> dict[str, Any]:
        """The one ERROR line logged for a request."""
        [line] = [
            line
            for line in self.log_lines()
            if line.get("request_id") == request_id and line["level"] == "ERROR"
        ]
        return line

    def wait_for_log(self, text: str, timeout: float = 10) -> None:
        """Returns once the log holds `text`, as it is or within a JSON line's string (its
        quotes escaped); fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        escaped = json.dumps(text)[1:-1]
        while text not in (output := self.output()) and escaped not in output:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited before logging {text!r}:\n{self.output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not log {text!r} within {timeout} s:\n{self.output()}")
            time.sleep(0.05)


@contextmanager
def _started(
    command: list[str], env: dict[str, str], ready: str, port: int | None = None
) -> Iterator[Server]:
    """The command started on `port` (a free one if None) with `env` over the process's
    environment; yields the server once `ready` (a path) answers 200. Kills it after if it
    still runs."""
    port = port or free_port()
    environment = {**os.environ, "LOAD_FIXTURES": str(WORLD), **env}
    command = [*command, "--host", "127.0.0.1", "--port", str(port)]
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=log)
        server = Server(f"http://127.0.0.1:{port}", process, log)
        try:
            deadline = time.monotonic() + START_SECONDS
            while True:
                if process.poll() is not None:
                    pytest.fail(f"the server exited with {process.returncode}:\n{server.output()}")
                try:
                    if httpx.get(f"{server.url}{ready}", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"{ready} did not answer within {START_SECONDS} s:\n{server.output()}"
                    )
                time.sleep(0.1)
            yield server
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


@contextmanager
def running_server(database_url: str, **env: str) -> Iterator[Server]:
    """`python -m uvicorn server:create_app --factory` in development with GraphiQL, on
    `database_url`; yields it once /health answers, and stops it with SIGTERM, as a
    supervisor would, checking that it shut down cleanly."""
    command = [sys.executable, "-m", "uvicorn", "server:create_app", "--factory"]
    environment = {"DATABASE_URL": database_url, "APP_ENV": "development", "GRAPHIQL": "true"}
    with _started([*command, "--no-access-log"], {**environment, **env}, "/health") as server:
        try:
            yield server
        finally:
            if server.process.poll() is None:
                server.process.send_signal(signal.SIGTERM)
                try:
                    server.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    pytest.fail(f"uvicorn did not stop on SIGTERM:\n{server.output()}")
        # A clean shutdown runs the lifespan's exit, which closes the database connections;
        # uvicorn then ends by the signal it caught, as its supervisor expects.
        output = server.output()
        assert server.process.returncode in (0, -signal.SIGTERM), output
        assert "Application shutdown complete." in output, output
        assert "Traceback" not in output, output


@contextmanager
def serving(database_url: str, port: int | None = None, /, **env: str) -> Iterator[Server]:
    """`elections serve` in production mode on `database_url` (and on `port`, if given);
    yields it once /ready answers, and kills it after if it is still running (the test
    stops it as it means to)."""
    command = [sys.executable, "-m", "service.cli", "serve"]
    environment = {"APP_ENV": "production", "DATABASE_URL": database_url}
    with _started(command, {**environment, **env}, "/ready", port) as server:
        yield server
