"""Servers under uvicorn in a subprocess on a free loopback port, stopped by their own pid."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


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

    def peak_rss_mib(self) -> float:
        """The process's peak resident memory so far (VmHWM), in MiB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")


@contextmanager
def serve(
    app: str, database: Path, log: Path, app_env: str = "production", factory: bool = False
) -> Iterator[Server]:
    """Run `app` (module:attribute, or module:function that makes it with `factory`) on one
    uvicorn worker over `database`; stop it after.

    The server's own output (its request log, in production) goes to the file `log`.
    """
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite://{database.resolve()}",
        "BENCH_DATABASE": str(database.resolve()),
        "LOAD_FIXTURES": "",
        "APP_ENV": app_env,
        "PYTHONPATH": str(ROOT),
    }
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
    ]
    output = log.open("ab")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{app} exited with status {process.returncode}: see {log}")
            try:
                with urllib.request.urlopen(f"http://{HOST}:{port}/health", timeout=2) as answer:
                    if answer.status == 200:
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
