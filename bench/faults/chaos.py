"""The faults, on a schedule: a Celery worker killed every 20 s, and once each the web server killed, Redis restarted
and PostgreSQL stopped for 15 s, at set points of the inbound load. Measures what the issue asks about them: the
webhook's answers while PostgreSQL is down, and how soon processing resumes after Redis or PostgreSQL come back.
"""

import os
import random
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field

import psycopg
import requests

from bench.faults.services import PostgresCluster, RedisServer
from bench.harness import Stack, descendants, signed_headers, text_delivery

RESUME_TIMEOUT_SECONDS = 120


@dataclass
class Chaos:
    stack: Stack
    postgres: PostgresCluster
    redis: RedisServer
    database_url: str
    web_port: int
    progress: Callable[[], float]  # the share of the inbound load sent so far
    worker_every: float = 20.0
    postgres_outage: float = 15.0
    redis_outage: float = 2.0
    one_offs: tuple[tuple[float, str], ...] = ((0.2, "web"), (0.4, "redis"), (0.6, "postgres"))
    log: list[str] = field(default_factory=list)
    worker_kills: int = 0
    workers_started: int = 0
    outage_answers: Counter = field(default_factory=Counter)
    outage_window: tuple[float, float] | None = None  # wall clock: PostgreSQL stopped .. starting again
    resumed_after: dict[str, float | None] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)
    _started_at: float = field(default_factory=time.monotonic)

    def note(self, text: str) -> None:
        line = f"[chaos +{time.monotonic() - self._started_at:6.1f}s] {text}"
        self.log.append(line)
        print(line, flush=True)

    def start_worker(self) -> None:
        self.workers_started += 1
        self.stack.start_worker(f"worker-{self.workers_started}", concurrency=2)

    @property
    def worker(self):
        return self.stack.processes[f"worker-{self.workers_started}"]

    def run(self) -> None:
        pending = list(self.one_offs)
        last_kill = time.monotonic()
        while not self.stop.wait(0.5) or pending:  # a short load still gets every one-off fault
            if pending and (self.progress() >= pending[0][0] or self.stop.is_set()):
                getattr(self, f"_fault_{pending.pop(0)[1]}")()
            if time.monotonic() - last_kill >= self.worker_every:
                self._kill_worker()
                last_kill = time.monotonic()

    # --- the faults

    def _kill_worker(self) -> None:
        """Every other time one pool process (its parent forks another), else the whole worker and a new one."""
        self.worker_kills += 1
        main = self.worker
        children = descendants(main.pid)
        if self.worker_kills % 2 and children:
            victim = random.choice(children)
            _kill(victim)
            self.note(f"kill -9 worker pool process {victim}")
            return
        for pid in [main.pid, *children]:
            _kill(pid)
        main.wait()
        self.start_worker()
        self.note(f"kill -9 worker {main.pid} and its pool {children}; started worker pid {self.worker.pid}")

    def _fault_web(self) -> None:
        web = self.stack.processes["web"]
        _kill(web.pid)
        web.wait()
        down = time.monotonic()
        self.stack.start_web("web-2", port=self.web_port)
        self.note(f"kill -9 web server {web.pid}; restarted, listening again after {time.monotonic() - down:.1f} s")

    def _fault_redis(self) -> None:
        self.redis.stop()
        self.note(
            f"Redis killed (no persistence: queued tasks and channel messages are gone), down {self.redis_outage:.0f} s"
        )
        time.sleep(self.redis_outage)
        self.redis.start()
        back = time.time()
        self.note("Redis started again")
        self.resumed_after["redis"] = self._seconds_until_processing(back)
        self.note(f"processing resumed {self._resumed('redis')} after Redis came back")

    def _fault_postgres(self) -> None:
        self.postgres.stop("immediate")
        stopped = time.time()
        self.note(f"PostgreSQL stopped for {self.postgres_outage:.0f} s")
        probing = threading.Thread(target=self._probe_until, args=(stopped + self.postgres_outage,), daemon=True)
        probing.start()
        time.sleep(max(0.0, stopped + self.postgres_outage - time.time()))
        self.outage_window = (stopped, time.time())
        self.postgres.start()
        back = time.time()
        probing.join()
        self.note(f"PostgreSQL started again; the webhook answered {dict(self.outage_answers)} meanwhile")
        self.resumed_after["postgres"] = self._seconds_until_processing(back)
        self.note(f"processing resumed {self._resumed('postgres')} after PostgreSQL came back")

    def _probe_until(self, restart: float) -> None:
        """Probes, two at a time, each answered before PostgreSQL is started again."""

        def probe() -> None:
            while time.time() < restart:
                answer = self._probe_webhook()
                if time.time() < restart:
                    self.outage_answers[answer] += 1

        probes = [threading.Thread(target=probe, daemon=True) for _ in range(2)]
        for thread in probes:
            thread.start()
        for thread in probes:
            thread.join()

    def _resumed(self, service: str) -> str:
        seconds = self.resumed_after.get(service)
        return "never" if seconds is None else f"{seconds:.1f} s"

    # --- measuring

    def _probe_webhook(self) -> int | str:
        """A signed delivery of our own; it must be refused (503) while the database is down."""
        body = probe_delivery()
        try:
            answer = requests.post(
                f"http://127.0.0.1:{self.web_port}/webhooks/whatsapp/",
                data=body,
                headers=signed_headers(body),
                timeout=10,
            )
            return answer.status_code
        except requests.RequestException as problem:
            return type(problem).__name__

    def _seconds_until_processing(self, since: float) -> float | None:
        """Until a webhook delivery is processed after `since` (wall clock), read from the database; notes when
        the web server stored one again too, to tell a slow web server from a slow worker."""
        deadline = time.monotonic() + RESUME_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            try:
                with psycopg.connect(self.database_url, connect_timeout=2) as connection:
                    stored, processed = connection.execute(
                        "SELECT extract(epoch FROM min(received_at) FILTER (WHERE received_at > to_timestamp(%s))), "
                        "extract(epoch FROM min(processed_at) FILTER (WHERE processed_at > to_timestamp(%s))) "
                        "FROM channels_whatsapp_webhookdelivery",
                        (since, since),
                    ).fetchone()
                if processed is not None:
                    stored_after = "none yet" if stored is None else f"{float(stored) - since:.1f} s"
                    self.note(f"the web server stored a delivery again after {stored_after}")
                    return float(processed) - since
            except psycopg.Error:
                pass
            time.sleep(0.2)
        return None


def probe_delivery() -> bytes:
    return text_delivery([(9999999, "fault-probe")], name="Outage probe")


def _kill(pid: int) -> None:
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
