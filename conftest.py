"""Shared fixtures: the whole system as real processes (web server, Celery worker, Graph API emulator)."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from redis import Redis

from channels_whatsapp.emulator.client import EmulatorClient
from config.embedded_redis import EmbeddedRedisUnavailable, listening, start_embedded_redis, stop_embedded_redis
from interactions.task_queue import _pending

BASE_DIR = Path(__file__).resolve().parent
ARTIFACTS = BASE_DIR / "var" / "test-artifacts"

# Property-based tests: a few seconds each in `make test`. CI replays one fixed set of examples (derandomized, so a
# red build is red again on retry); local runs explore anew and remember what failed. HYPOTHESIS_PROFILE=thorough
# hunts longer. Tests that reuse a function-scoped fixture across examples roll back each example themselves.
hypothesis_settings.register_profile(
    "whatsdesk",
    max_examples=40,
    deadline=None,  # the shared machine's database answers in milliseconds, sometimes in seconds
    derandomize=bool(os.environ.get("CI")),
    database=None if os.environ.get("CI") else hypothesis_settings.default.database,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
hypothesis_settings.register_profile("thorough", parent=hypothesis_settings.get_profile("whatsdesk"), max_examples=1000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "whatsdesk"))


@pytest.fixture(scope="session", autouse=True)
def embedded_redis() -> Iterator[None]:
    """Without REDIS_URL, the embedded Redis for this run: started before the first test, stopped after the last."""
    port = settings.EMBEDDED_REDIS_TEST_PORT
    if port is None:
        yield
        return
    try:
        process = start_embedded_redis(
            port=port, log_file=BASE_DIR / "var" / "redis-test.log", port_variable="EMBEDDED_REDIS_TEST_PORT"
        )
    except EmbeddedRedisUnavailable as refusal:
        pytest.exit(f"the tests' embedded Redis: {refusal}", returncode=pytest.ExitCode.USAGE_ERROR)
    yield
    if process is not None:
        stop_embedded_redis(process)


@pytest.fixture(scope="session", autouse=True)
def no_secret_leaks():
    """No secret in any response body or log line of the whole run (tests/secret_watch.py)."""
    from tests.secret_watch import watching_for_secrets

    with pytest.MonkeyPatch.context() as patch, watching_for_secrets(patch) as watch:
        yield watch
    assert not watch.leaks, "secrets leaked during the test run:\n" + "\n".join(sorted(set(watch.leaks)))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate: Callable[[], Any], *, timeout: float = 15, interval: float = 0.1, message: str = "") -> Any:
    """Polls until the predicate returns something truthy; the tests' only way of waiting."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message or predicate}")
        time.sleep(interval)


def _database_url() -> str:
    """The test database, as a URL the processes we start can use."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited early; see {log}:\n{log.read_text()[-3000:]}")
        if listening(port):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listened on {port} within {timeout}s; see {log}")


def database_application_name(process_name: str) -> str:
    """How a live process's connections are named in pg_stat_activity (libpq reads PGAPPNAME)."""
    return f"whatsdesk-test-{process_name}"


@dataclass
class LiveSystem:
    web_url: str
    emulator: EmulatorClient
    environment: dict[str, str]
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    logs: dict[str, Path] = field(default_factory=dict)

    def start(self, name: str, command: list[str], port: int | None = None) -> subprocess.Popen:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        log = ARTIFACTS / f"{name}.log"
        handle = log.open("ab")
        environment = {**self.environment, "PGAPPNAME": database_application_name(name)}
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=environment, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes[name], self.logs[name] = process, log
        if port is not None:
            _wait_for_port(port, process, log)
        return process

    def stop(self, name: str) -> None:
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def start_worker(self) -> subprocess.Popen:
        process = self.start(
            "worker",
            [
                sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel", "INFO",
                "--queues", "webhooks,outbound,default", "--concurrency", "2",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
            ],
        )  # fmt: skip
        wait_until(lambda: "ready" in self.logs["worker"].read_text(), timeout=30, message="the Celery worker")
        return process


LIVE_WORKER_RUNNING = pytest.StashKey[bool]()


@pytest.fixture(scope="session")
def live_processes(request, django_db_setup, django_db_blocker) -> Iterator[LiveSystem]:
    """Daphne, a Celery worker and the emulator, started once per test run against the test database."""
    web_port = free_port()
    emulator_url = settings.WHATSAPP_GRAPH_API_URL
    emulator_port = int(emulator_url.rsplit(":", 1)[1])
    with django_db_blocker.unblock():
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "TEST_RUN_ID": settings.TEST_RUN_ID,
            "WHATSAPP_GRAPH_API_URL": emulator_url,
            "PYTHONUNBUFFERED": "1",
        }
    system = LiveSystem(
        web_url=f"http://127.0.0.1:{web_port}", emulator=EmulatorClient(emulator_url), environment=environment
    )
    python = sys.executable
    try:
        system.start(
            "emulator",
            [python, "manage.py", "whatsapp_emulator", "--port", str(emulator_port),
             "--webhook-url", f"{system.web_url}/webhooks/whatsapp/"],
            port=emulator_port,
        )  # fmt: skip
        system.start(
            "web", [python, "-m", "daphne", "-b", "127.0.0.1", "-p", str(web_port), "config.asgi:application"], web_port
        )
        system.start_worker()
        request.config.stash[LIVE_WORKER_RUNNING] = True
        yield system
    finally:
        request.config.stash[LIVE_WORKER_RUNNING] = False
        for name in list(system.processes):
            system.stop(name)
        redis = Redis.from_url(settings.REDIS_URL)
        for key in redis.scan_iter(f"{settings.REDIS_KEY_PREFIX}*"):  # this run's queues and buckets
            redis.delete(key)


def _wait_for_the_worker_to_settle(redis: Redis, *, timeout: float = 5.0) -> None:
    """Until no task is queued or running: a table emptied under a running task's row locks deadlocks on PostgreSQL.
    A countdown due later (an offer's timeout) is held by the worker, unacknowledged, and neither runs nor locks
    anything meanwhile; the test is over, so it is revoked rather than waited for (it would act on the rows of a
    test that follows) and the marks that held back its twins are cleared."""
    from config.celery import app

    prefix = settings.REDIS_KEY_PREFIX
    queues = [f"{prefix}{name}" for name in ("webhooks", "outbound", "default")]
    revoked: set[str] = set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running, countdowns = _held_tasks(redis)
        if countdowns - revoked:
            app.control.revoke(list(countdowns - revoked))
            revoked |= countdowns
        if not running and not any(redis.llen(queue) for queue in queues):
            break
        time.sleep(0.1)
    for key in redis.scan_iter(cache.make_key(_pending("*"))):
        redis.delete(key)


def _held_tasks(redis: Redis) -> tuple[bool, set[str]]:
    """Whether the worker holds a task that runs (or is due to), and the ids of the countdowns it holds for later
    (kombu keeps each unacknowledged message in the `unacked` hash as `[message, exchange, routing key]`; Celery
    puts a countdown's time in `eta`)."""
    now = datetime.now(UTC)
    running, countdowns = False, set()
    for held in redis.hvals(f"{settings.REDIS_KEY_PREFIX}unacked"):
        headers = json.loads(held)[0].get("headers", {})
        eta = headers.get("eta")
        at = None if eta is None else datetime.fromisoformat(eta)
        if at is None or (at if at.tzinfo else at.replace(tzinfo=UTC)) <= now:
            running = True
        else:
            countdowns.add(headers["id"])
    return running, countdowns


@pytest.fixture(autouse=True)
def _worker_settles_before_the_flush(request) -> Iterator[None]:
    """Any test that commits hands its tasks to the broker, and once the session's live worker runs, it takes them:
    every test (not only the live ones) waits for it, so no table is emptied under a task's row locks."""
    yield
    if request.config.stash.get(LIVE_WORKER_RUNNING, False):
        _wait_for_the_worker_to_settle(Redis.from_url(settings.REDIS_URL))


@pytest.fixture(autouse=True)
def _channel_adapters_of_this_test(monkeypatch) -> None:
    """A channel a test registers (an SMS stand-in, an adapter whose storage fails) is gone after it: the template
    sync and the channel health ask every registered channel."""
    from interactions import channel_adapters

    monkeypatch.setattr(channel_adapters, "_adapters", dict(channel_adapters._adapters))


@pytest.fixture(autouse=True)
def _fresh_system_properties(request) -> None:
    """Each test reads the system properties its own database holds, not a snapshot a previous test left behind,
    and reads them before it starts, so that the first read is not counted among a test's queries."""
    from properties.accessor import forget_snapshot, read_snapshot

    forget_snapshot()
    if request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
        read_snapshot()


# SQLSTATEs of a lock race lost: deadlock_detected, lock_not_available, serialization_failure.
LOCK_RACE_SQLSTATES = {"40P01", "55P03", "40001"}


def _lost_a_lock_race(error: BaseException) -> bool:
    cause = error.__cause__
    while cause is not None and getattr(cause, "sqlstate", None) is None:
        cause = cause.__cause__
    return cause is not None and cause.sqlstate in LOCK_RACE_SQLSTATES


@pytest.fixture(scope="session", autouse=True)
def _flush_retries_a_lost_lock_race() -> Iterator[None]:
    """A test's flush (one TRUNCATE of every table, locking them in turn) can deadlock with the live web server or
    worker still finishing the test's last work, such as a socket's close recorded after the test let go of it.
    PostgreSQL then aborts one side; when it is the flush, nothing was emptied, so it runs again."""
    from django.core.management.base import CommandError
    from django.test import TransactionTestCase

    flush = TransactionTestCase._fixture_teardown

    def flush_until_it_wins(self) -> None:
        for attempt in range(1, 4):
            try:
                return flush(self)
            except CommandError as error:
                if attempt == 3 or not _lost_a_lock_race(error):
                    raise
                reason = str(error.__cause__).splitlines()[0]
                print(f"\nthe flush lost a lock race ({reason}); flushing again", file=sys.stderr)
                time.sleep(0.5 * attempt)

    TransactionTestCase._fixture_teardown = flush_until_it_wins
    yield
    TransactionTestCase._fixture_teardown = flush


@pytest.fixture
def live_worker_paused(request) -> Iterator[None]:
    """The session's live worker (running once an end-to-end test started it) stops taking tasks for the test: one
    that runs tasks itself, in-process against its own emulator, or looks at what waits in the broker, is not raced."""
    if not request.config.stash.get(LIVE_WORKER_RUNNING, False):
        yield
        return
    from config.celery import app

    queues = ("webhooks", "outbound", "default")
    for queue in queues:
        app.control.cancel_consumer(queue, reply=True, timeout=5, limit=1)  # the one worker: no waiting out the timeout
    try:
        yield
    finally:
        for queue in queues:
            app.control.add_consumer(queue, reply=True, timeout=5, limit=1)


@pytest.fixture
def live_messages():
    """What is published on the live channel since the last call, message by message (events published together
    share one), each as its events with their groups, read as each web process's subscription reads them."""
    from interactions.live import live_channel, published_events

    subscriber = Redis.from_url(settings.LIVE_UPDATES["redis_url"]).pubsub()
    subscriber.subscribe(live_channel())
    assert subscriber.get_message(timeout=5)["type"] == "subscribe"  # listening from here on

    def published() -> list[list[tuple[set[str], dict]]]:
        messages = []
        while (message := subscriber.get_message(timeout=0.5)) is not None:
            messages.append([(set(groups), json.loads(text)) for groups, text in published_events(message["data"])])
        return messages

    yield published
    subscriber.close()


@pytest.fixture
def live_events(live_messages):
    """The events of `live_messages`, one after another."""
    return lambda: [event for message in live_messages() for event in message]


@pytest.fixture
def live_system(live_processes: LiveSystem, transactional_db) -> Iterator[LiveSystem]:
    """The live system with an empty database, a reset emulator and fresh pacing buckets."""
    live_processes.emulator.reset()
    redis = Redis.from_url(settings.REDIS_URL)
    for key in redis.scan_iter(f"{settings.REDIS_KEY_PREFIX}pacing:*"):
        redis.delete(key)
    for name in ("admin", "agent", "manager"):
        from django.contrib.auth.models import Group

        Group.objects.get_or_create(name=name)
    from consent.defaults import seed_default_keywords
    from consent.models import ConsentKeyword, KeywordLanguage

    seed_default_keywords(KeywordLanguage, ConsentKeyword)  # a migration's data, gone with the last test's flush
    from customer_service.models import NotificationRule, NotificationText
    from customer_service.notification_defaults import seed_rules

    seed_rules(NotificationRule, NotificationText)  # the same
    yield live_processes
    live_processes.emulator.reset()  # no more webhooks for the worker; `_worker_settles_before_the_flush` waits next


@pytest.fixture
def emulator(live_system: LiveSystem) -> EmulatorClient:
    return live_system.emulator


BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    executable = shutil.which("chromium")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed; .ci/run installs it")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on the test's thread; the ORM calls in between are still
    # synchronous and on that one thread, which is what Django's guard is there to ensure.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        yield _PolicyWatchingBrowser(browser)
        browser.close()


_POLICY_VIOLATIONS: list[str] = []


def _note_policy_violation(message) -> None:
    if "Content Security Policy" in message.text:
        _POLICY_VIOLATIONS.append(f"{message.location.get('url', '?')}: {message.text}")


class _PolicyWatchingBrowser:
    """The browser every browser test drives: whatever a page does that the Content-Security-Policy refuses (an
    inline script, handler or style, a source from elsewhere) fails the test, so every browser test checks the
    policy on the pages it walks through (README, "Security")."""

    def __init__(self, browser) -> None:
        self._browser = browser

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.on("console", _note_policy_violation)
        return context

    def new_page(self, **options):
        page = self._browser.new_page(**options)
        page.on("console", _note_policy_violation)
        return page

    def __getattr__(self, name: str):
        return getattr(self._browser, name)


@pytest.fixture(autouse=True)
def _pages_keep_to_the_content_security_policy() -> Iterator[None]:
    yield
    violations = list(_POLICY_VIOLATIONS)
    _POLICY_VIOLATIONS.clear()
    assert not violations, "the Content-Security-Policy refused:\n" + "\n".join(violations)
