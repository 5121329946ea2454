"""Races arranged behind a row the test holds, in real transactions on PostgreSQL: each racer runs in a thread with
its own connection and queues for the row in turn, and all go when the test lets go."""

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from django.db import connection, transaction

from interactions.models import ChannelUser


class Racer:
    """Runs `work` in the calling thread's own connection and tells, before it starts, which PostgreSQL session that
    is: the race waits for that session to queue for the lock, not for any session (once an end-to-end test has
    started the live Celery worker, its tasks may queue for the same customer's row too)."""

    def __init__(self, work: Callable[[], object]):
        self.work = work
        self.backend_pid: Future[int] = Future()

    def __call__(self) -> object:
        try:
            connection.ensure_connection()
            self.backend_pid.set_result(connection.connection.info.backend_pid)
            return self.work()
        finally:
            connection.close()  # each thread has its own; the test database cannot be dropped while it is open


def _waits_for_a_lock(backend_pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else a transaction sees the same snapshot each time
        cursor.execute("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = %s", [backend_pid])
        row = cursor.fetchone()
        return bool(row and row[0])


def submit_until_it_queues(pool: ThreadPoolExecutor, work: Callable[[], object], *, timeout: float = 10) -> Future:
    """Submits `work` and returns once its session waits for a lock (the row the test holds)."""
    racer = Racer(work)
    future = pool.submit(racer)
    backend_pid = racer.backend_pid.result(timeout=timeout)
    deadline = time.monotonic() + timeout
    while not _waits_for_a_lock(backend_pid):
        if future.done():
            future.result()  # it raised, or it did not wait for the lock it should have
            raise AssertionError("a racer finished while the channel user was held")
        if time.monotonic() > deadline:
            raise AssertionError("the racer never waited for a lock")
        time.sleep(0.02)
    return future


def race_behind_the_channel_user(channel_user: ChannelUser, first: Callable, second: Callable) -> list[object]:
    """Holds the channel user's row while `first`, then `second`, start and queue for it; then lets both go."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        with transaction.atomic():
            ChannelUser.objects.select_for_update().get(pk=channel_user.pk)
            futures = [submit_until_it_queues(pool, work) for work in (first, second)]
        return [future.result(timeout=30) for future in futures]
