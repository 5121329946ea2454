"""Runs callables at a later time on a few worker threads.

Meta never calls a webhook from inside the API request that caused it, and delivers several at once;
status changes (`delivered` 0.3 s after `sent`) and webhook attempts are all scheduled here.
"""

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)


class Scheduler:
    def __init__(self, *, workers: int) -> None:
        self._condition = threading.Condition()
        self._queue: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self._stopping = False
        self._threads = [
            threading.Thread(target=self._work, name=f"emulator-worker-{i}", daemon=True) for i in range(workers)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        with self._condition:
            self._stopping = True
            self._queue.clear()
            self._condition.notify_all()
        for thread in self._threads:
            thread.join(timeout=15)

    def call_later(self, delay: float, job: Callable[[], None]) -> None:
        with self._condition:
            heapq.heappush(self._queue, (time.monotonic() + max(delay, 0.0), next(self._order), job))
            self._condition.notify()

    def _work(self) -> None:
        while True:
            with self._condition:
                while not self._stopping and not self._job_is_due():
                    timeout = self._queue[0][0] - time.monotonic() if self._queue else None
                    self._condition.wait(timeout)
                if self._stopping:
                    return
                _, _, job = heapq.heappop(self._queue)
            try:
                job()
            except Exception:
                logger.exception("emulator job failed")

    def _job_is_due(self) -> bool:
        return bool(self._queue) and self._queue[0][0] <= time.monotonic()
