"""What every benchmark shares: a fresh PostgreSQL database and Redis, the system's processes, and the results file.

Benchmarks measure the production stack, so they need DATABASE_URL (a PostgreSQL server; each run creates and
drops a database of its own on it) and REDIS_URL (its database is flushed at the start). They print figures and
write them, with the machine they ran on, to `bench/results/<name>.json`.
"""

import json
import os
import platform
import resource
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "bench" / "results"
sys.path.insert(0, str(BASE_DIR))

from channels_whatsapp.signature import SIGNATURE_HEADER, signature_header_value  # noqa: E402

APP_SECRET = "bench-app-secret"
ACCESS_TOKEN = "bench-access-token"
PHONE_NUMBER_ID = "100000000000001"
DISPLAY_PHONE_NUMBER = "15550000001"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def required_environment() -> tuple[str, str]:
    """DATABASE_URL (PostgreSQL) and REDIS_URL, or an exit that says what to set."""
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not redis_url:
        sys.exit(
            "Benchmarks run on the production stack: set DATABASE_URL to a PostgreSQL server "
            "(postgres://postgres@127.0.0.1:5432/postgres) and REDIS_URL (redis://127.0.0.1:6379/0)."
        )
    return database_url, redis_url


@contextmanager
def fresh_database(server_url: str, *, name: str) -> Iterator[str]:
    """A new, empty database on the server of `server_url`, dropped afterwards; yields its URL."""
    database = f"bench_{name}_{uuid.uuid4().hex[:8]}"
    parts = urlsplit(server_url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{database}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def flush_redis(redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushdb()


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its reaped children, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
    return (utime + stime + cutime + cstime) / CLOCK_TICKS


def tree_cpu_seconds(pid: int) -> float:
    """CPU of a process and all its live descendants (a Celery worker's pool children, say)."""
    total = 0.0
    for child in [pid, *descendants(pid)]:
        with suppress(FileNotFoundError):
            total += process_cpu_seconds(child)
    return total


def descendants(pid: int) -> list[int]:
    """The live children of a process, their children and so on (from /proc, Linux)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return []
    found = [int(child) for child in children]
    for child in list(found):
        found += descendants(child)
    return found


def rss_bytes(pid: int) -> int:
    """Resident memory of one process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def own_cpu_seconds() -> float:
    """This process's CPU (the load generator's share of the machine), threads included."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Stack:
    """The system's processes for one run, on a database and Redis of its own."""

    environment: dict[str, str]
    workdir: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def manage(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR, env=self.environment, check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip

    def start(self, name: str, command: Sequence[str], *, extra_environment: dict[str, str] | None = None) -> None:
        log = (self.workdir / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            list(command),
            cwd=BASE_DIR,
            env={**self.environment, **(extra_environment or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def start_web(
        self, name: str = "web", *, port: int, server: str = "daphne", app: str = "config.asgi:application"
    ) -> str:
        """An ASGI server for `app` (config.asgi unless told) on `port`; returns its base URL once it answers."""
        if server == "daphne":
            command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), app]
        else:
            command = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
                       app]  # fmt: skip
        self.start(name, command)
        wait_until_listening(port, process=self.processes[name], log=self.workdir / f"{name}.log")
        return f"http://127.0.0.1:{port}"

    def start_worker(
        self, name: str = "worker", *, queues: str = "webhooks,outbound,default", concurrency: int = 2,
        app: str = "config",  # a module holding the Celery app
        pool: str = "prefork",
    ):  # fmt: skip
        self.start(
            name,
            [sys.executable, "-m", "celery", "-A", app, "worker", "-Q", queues, "-c", str(concurrency),
             "-P", pool, "-n", f"{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-l", "WARNING"],
        )  # fmt: skip

    def start_beat(self, name: str = "beat") -> None:
        """Celery beat, for the sweeps that re-enqueue what a lost task or broker left behind."""
        self.start(
            name,
            [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "WARNING",
             "--schedule", str(self.workdir / "celerybeat-schedule")],
        )  # fmt: skip

    def start_emulator(self, *, port: int, webhook_url: str, extra_args: Sequence[str] = ()) -> str:
        self.start(
            "emulator",
            [sys.executable, "manage.py", "whatsapp_emulator", "--port", str(port), "--webhook-url", webhook_url,
             *extra_args],
        )  # fmt: skip
        wait_until_listening(port, process=self.processes["emulator"], log=self.workdir / "emulator.log")
        return f"http://127.0.0.1:{port}"

    def stop(self, *names: str) -> None:
        """Stops the named processes (all of them unless named)."""
        stopping = [self.processes.pop(name) for name in names or list(self.processes)]
        for process in stopping:
            process.terminate()
        for process in stopping:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_listening(port: int, *, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"port {port} never listened; see {log}:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


@contextmanager
def stack(name: str, *, extra_environment: dict[str, str] | None = None) -> Iterator[Stack]:
    """A fresh database (migrated, with the bench business number) and a flushed Redis; stops what it started."""
    database_server, redis_url = required_environment()
    workdir = BASE_DIR / "var" / "bench" / f"{name}-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    workdir.mkdir(parents=True, exist_ok=True)
    flush_redis(redis_url)
    with fresh_database(database_server, name=name) as database_url:
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "WHATSAPP_APP_SECRET": APP_SECRET,
            "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
            "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
            "WHATSAPP_DISPLAY_PHONE_NUMBER": DISPLAY_PHONE_NUMBER,
            "WHATSAPP_VERIFY_TOKEN": "bench-verify-token",
            **(extra_environment or {}),
        }
        running = Stack(environment=environment, workdir=workdir)
        running.manage("migrate", "-v0")
        running.manage("sync_whatsapp_number")
        try:
            yield running
        finally:
            running.stop()


def wait_until_processed(connection: psycopg.Connection, *, after_id: int, timeout: float) -> int:
    """Waits until the worker has processed every stored webhook delivery with an id above `after_id`; returns how
    many are still unprocessed (0 unless `timeout` seconds ran out). `connection` is autocommit."""
    deadline = time.monotonic() + timeout
    while True:
        left = connection.execute(
            "SELECT count(*) FROM channels_whatsapp_webhookdelivery WHERE id > %s AND processed_at IS NULL", [after_id]
        ).fetchone()[0]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)


SIGN_IN_AGENTS = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from rest_framework.authtoken.models import Token
from interactions.roles import AGENT, MANAGER

User = get_user_model()
users = User.objects.bulk_create([User(username=f"bench-agent-{index}") for index in range(COUNT)])
Group.objects.get_or_create(name=AGENT)[0].user_set.add(*users)
# Also managers, who see every conversation: each socket hears every push, the fan-out's heaviest case, whatever
# routing's audience rules (an agent alone sees only what is assigned or offered to them).
Group.objects.get_or_create(name=MANAGER)[0].user_set.add(*users)
tokens = Token.objects.bulk_create([Token(user=user, key=Token.generate_key()) for user in users])
agents = []
for user, token in zip(users, tokens):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    agents.append([user.pk, session.session_key, token.key])
print(json.dumps(agents))
"""


@dataclass(frozen=True)
class Agent:
    id: int
    session: str  # the session key a browser's cookie carries
    token: str  # for the REST API

    @property
    def cookie(self) -> str:
        return f"sessionid={self.session}"


def sign_in_agents(stack: Stack, count: int) -> list[Agent]:
    """`count` agents, each with a session as signing in gives it and an API token.

    The session is made the way django.contrib.auth.login makes it, without hashing `count` passwords (seconds
    of CPU each hundred) on the machine under test.
    """
    rows = json.loads(stack.manage("shell", "-c", SIGN_IN_AGENTS.replace("COUNT", str(count))).splitlines()[-1])
    return [Agent(*row) for row in rows]


def machine() -> dict[str, object]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def git_commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True, check=False
    ).stdout.strip()


def write_results(name: str, figures: dict[str, object]) -> Path:
    """`bench/results/<name>.json`: the figures, the machine, the commit and when."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    document = {
        "benchmark": name,
        "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": machine(),
        "figures": figures,
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    print(f"wrote {path.relative_to(BASE_DIR)}")
    return path


def percentiles(samples: Sequence[float], points: Sequence[float] = (50, 99, 99.9)) -> dict[str, float]:
    """Nearest-rank percentiles of `samples` (e.g. milliseconds), keyed 'p50', 'p99', 'p99.9', plus 'max'."""
    ordered = sorted(samples)
    if not ordered:
        return {}
    result = {}
    for point in points:
        rank = min(len(ordered) - 1, max(0, round(point / 100 * len(ordered)) - 1))
        result[f"p{point:g}"] = round(ordered[rank], 2)
    result["max"] = round(ordered[-1], 2)
    return result


def text_delivery(texts: Iterable[tuple[int, str]], *, name: str | None = None) -> bytes:
    """One webhook delivery as Meta sends it: a text message from customer n (number 1555 and n in seven digits,
    named "Customer n" unless `name`) for each (n, text), all in one change."""
    sent = [(f"1555{customer:07d}", text) for customer, text in texts]
    customers = {wa_id: name or f"Customer {int(wa_id[4:])}" for wa_id, _ in sent}
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": DISPLAY_PHONE_NUMBER, "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": customer}, "wa_id": wa_id} for wa_id, customer in customers.items()],
        "messages": [
            {"from": wa_id, "id": f"wamid.bench-{uuid.uuid4().hex}", "timestamp": str(int(time.time())),
             "type": "text", "text": {"body": text}}
            for wa_id, text in sent
        ],
    }  # fmt: skip
    change = {"field": "messages", "value": value}
    document = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [change]}]}
    return json.dumps(document).encode()


def signature(body: bytes) -> str:
    """The X-Hub-Signature-256 value Meta would send with `body` (the app's own signing, so the two agree)."""
    return signature_header_value(body=body, app_secret=APP_SECRET)


def signed_headers(body: bytes) -> dict[str, str]:
    return {"Content-Type": "application/json", SIGNATURE_HEADER: signature(body)}
