"""A PostgreSQL cluster and a Redis of the run's own, on free ports, that the chaos may stop and start.

The machine's PostgreSQL and Redis serve everyone else, so the outages happen to these disposable ones instead.
PostgreSQL refuses to run as root, so as root its commands run as the `postgres` user.
"""

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
import redis

from bench.harness import free_port

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class PostgresCluster:
    """`initdb` into a temporary directory; trust authentication for `postgres` on 127.0.0.1 only."""

    directory: Path
    port: int

    @classmethod
    def create(cls) -> "PostgresCluster":
        directory = Path(tempfile.mkdtemp(prefix="wd-faults-pg-"))
        if os.geteuid() == 0:
            shutil.chown(directory, "postgres", "postgres")
        cluster = cls(directory=directory, port=free_port())
        subprocess.run(
            _as_postgres([str(PG_BIN / "initdb"), "-D", str(cluster.data), "-U", "postgres", "--auth=trust", "-E",
                          "UTF8", "--no-sync"]),
            check=True, capture_output=True,
        )  # fmt: skip
        options = "\n".join(
            [f"port = {cluster.port}", "listen_addresses = '127.0.0.1'", "max_connections = 300", "fsync = on",
             "unix_socket_directories = ''", "shared_buffers = 128MB"]
        )  # fmt: skip
        with (cluster.data / "postgresql.conf").open("a") as conf:
            conf.write("\n" + options + "\n")
        cluster.start()
        return cluster

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "server.log"),
                          "-w", "start"]),
            check=True, capture_output=True,
        )  # fmt: skip
        wait_for(lambda: psycopg.connect(self.url, connect_timeout=1).close(), what="PostgreSQL")

    def stop(self, mode: str = "immediate") -> None:
        """`immediate` is a crash as far as clients can tell: every session is cut at once."""
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]),
            check=True, capture_output=True,
        )  # fmt: skip

    def destroy(self) -> None:
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
            check=False, capture_output=True,
        )  # fmt: skip
        shutil.rmtree(self.directory, ignore_errors=True)


@dataclass
class RedisServer:
    """No persistence, as a cache-sized Redis often runs: a restart loses every queued task and channel message."""

    directory: Path
    port: int
    process: subprocess.Popen | None = None

    @classmethod
    def create(cls) -> "RedisServer":
        server = cls(directory=Path(tempfile.mkdtemp(prefix="wd-faults-redis-")), port=free_port())
        server.start()
        return server

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = (self.directory / "redis.log").open("ab")
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for(lambda: redis.Redis(port=self.port, socket_connect_timeout=1).ping(), what="Redis")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def wait_for(probe, *, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            probe()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not come up within {timeout:.0f} s") from None
            time.sleep(0.1)
