"""The real `tms` command in a subprocess: `tms init`, then `tms serve` on a free port."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The `tms` entry point, run by this interpreter (the console script may not be installed).
TMS = [sys.executable, "-c", "from tms.cli import main; main()"]


@dataclass
class Server:
    """A running `tms serve`: its process, its base URL and, once stopped, its output."""

    proc: subprocess.Popen[bytes]
    base: str
    output: bytes = b""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tms_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a tms with its own SQLite file and instance folder in tmp_path."""
    return {**os.environ, "TMS_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
            "TMS_INSTANCE_DIR": str(tmp_path / "instance"), "TMS_SECRET_KEY": "serve-test"}


@contextmanager
def served(tmp_path: Path, stop: signal.Signals = signal.SIGINT) -> Iterator[Server]:
    """`tms init`, then `tms serve`; on the way out the server gets `stop` (SIGINT is
    gunicorn's quick shutdown, as Ctrl+C; SIGTERM its graceful one) and its output is kept."""
    port = free_port()
    env = tms_env(tmp_path)
    subprocess.run([*TMS, "init"], env=env, check=True, capture_output=True, timeout=60)
    proc = subprocess.Popen([*TMS, "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    server = Server(proc, f"http://127.0.0.1:{port}")
    try:
        yield server
    finally:
        proc.send_signal(stop)
        server.output, _ = proc.communicate(timeout=30)


def wait_healthy(server: Server, seconds: float = 30) -> Any:
    """The JSON of /healthz once the server answers, or None if it stopped or took too long."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.proc.poll() is None:
        try:
            with urllib.request.urlopen(server.base + "/healthz", timeout=2) as resp:  # noqa: S310
                return json.loads(resp.read())
        except OSError:
            time.sleep(0.2)
    return None
