"""Group commit for the webhook: one thread stores whatever deliveries are waiting in one transaction.

Under load a delivery's own transaction (and its own task) is what costs: so concurrent deliveries queue up, the
writer thread takes all that are waiting, inserts them at once, answers each only once they are committed, and
hands the worker one task for the lot. While it writes, the next batch gathers; an idle server writes each
delivery at once. The thread holds one database connection (through Django's ORM, so SQLite works as well as
PostgreSQL) and gives it back to the pool after each batch; the thread is also where the webhook's other database
reads run (the app secrets), so the webhook never uses more than that one connection.

With the database unreachable, each attempt waits out the pool's timeout before it fails: the work that gathered
meanwhile is then refused at once (503, Meta redelivers) instead of each waiting out an attempt of its own in turn,
so no delivery waits much longer than one timeout, however many arrive during an outage.
"""

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from django.db import close_old_connections

from channels_whatsapp.inbox import ReceivedDelivery, enqueue_processing, store_webhook_deliveries
from interactions.unavailable import is_unreachable_database

logger = logging.getLogger(__name__)

MAX_BATCH = 500
# After a round found the database unreachable, what gathered meanwhile is refused with that error; the first round
# to start this long after it tries the database again.
RETRY_DATABASE_AFTER_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class _Waiting:
    """Work handed to the thread, and where its answer goes."""

    work: ReceivedDelivery | Callable[[], Any]
    loop: asyncio.AbstractEventLoop
    answer: asyncio.Future


def _settle(waiting: _Waiting, *, result: Any = None, error: BaseException | None = None) -> None:
    def settle() -> None:
        if waiting.answer.done():  # the request was given up (the client went away)
            return
        if error is None:
            waiting.answer.set_result(result)
        else:
            waiting.answer.set_exception(error)

    with suppress(RuntimeError):  # the loop is closed: nobody waits for the answer
        waiting.loop.call_soon_threadsafe(settle)


class DeliveryWriter:
    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[_Waiting] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()
        self._unreachable: tuple[float, BaseException] | None = None  # (when a round found it so, what it raised)

    async def store(self, delivery: ReceivedDelivery) -> int:
        """The delivery's id once it is committed; raises what storing it raised (DatabaseError: not stored)."""
        return await self._hand_over(delivery)

    async def run(self, function: Callable[[], Any]) -> Any:
        """`function()` on the writer's thread, for the webhook's other database reads."""
        return await self._hand_over(function)

    async def _hand_over(self, work: ReceivedDelivery | Callable[[], Any]) -> Any:
        loop = asyncio.get_running_loop()
        waiting = _Waiting(work=work, loop=loop, answer=loop.create_future())
        self._start()
        self._queue.put(waiting)
        return await waiting.answer

    def _start(self) -> None:
        if self._thread is not None:
            return
        with self._starting:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="webhook-delivery-writer", daemon=True)
                self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                self._serve_next()
            except Exception:  # the thread must outlive anything: every delivery of the process waits on it
                logger.exception("the webhook's delivery writer failed a round")

    def _serve_next(self) -> None:
        """Whatever is waiting: the reads first (deliveries wait on them), then the deliveries in one batch."""
        batch, calls = [], []
        waiting = self._queue.get()
        while True:
            (batch if isinstance(waiting.work, ReceivedDelivery) else calls).append(waiting)
            if len(batch) >= MAX_BATCH:
                break
            try:
                waiting = self._queue.get_nowait()
            except queue.Empty:
                break
        for call in calls:
            if not self._refused_while_unreachable([call]):
                self._call(call)
        if batch and not self._refused_while_unreachable(batch):
            self._write(batch)

    def _refused_while_unreachable(self, waiting: list[_Waiting]) -> bool:
        """Refuses the work with the error of a round that found the database unreachable a moment ago."""
        if self._unreachable is None:
            return False
        found_at, error = self._unreachable
        if time.monotonic() - found_at >= RETRY_DATABASE_AFTER_SECONDS:
            return False
        for each in waiting:
            _settle(each, error=error)
        return True

    def _note_outcome(self, error: BaseException | None) -> None:
        unreachable = error is not None and is_unreachable_database(error)
        self._unreachable = (time.monotonic(), error) if unreachable else None

    def _call(self, waiting: _Waiting) -> None:
        try:
            _settle(waiting, result=waiting.work())
            self._note_outcome(None)
        except Exception as error:
            self._note_outcome(error)
            _settle(waiting, error=error)
        finally:
            close_old_connections()

    def _write(self, batch: list[_Waiting]) -> None:
        try:
            delivery_ids = store_webhook_deliveries(deliveries=[waiting.work for waiting in batch])
        except Exception as error:
            self._note_outcome(error)
            for waiting in batch:
                _settle(waiting, error=error)
            close_old_connections()
            return
        self._note_outcome(None)
        for waiting, delivery_id in zip(batch, delivery_ids, strict=True):
            _settle(waiting, result=delivery_id)
        try:
            enqueue_processing(delivery_ids)  # after the answers: a slow broker never holds them up
        finally:
            close_old_connections()


delivery_writer = DeliveryWriter()
