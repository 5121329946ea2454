"""How many webhook deliveries arrived, and how many were refused for their signature, per minute, for the health
panel. Counting must cost the webhook nothing it would notice, and must never fail it.

So the webhook only adds to a counter in the process's memory (a dict under a lock: no I/O on the request path),
and a daemon thread adds what gathered to Redis every few seconds (`WHATSAPP_HEALTH_COUNTS_FLUSH_SECONDS`), in one
pipeline: one counter per minute, kind and number, kept two hours. Several web processes add to the same counters.
What a process held when it stopped, or what Redis refused, is lost, and logged: these are a hint, the stored
deliveries are the record.

A signature that matches no app secret names no number, so refusals are counted for the endpoint as a whole.
"""

import logging
import threading
import time
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from redis import Redis, RedisError

logger = logging.getLogger(__name__)

DELIVERED = "delivered"
REFUSED = "refused"
ANY_NUMBER = "*"
KEEP_SECONDS = 2 * 60 * 60


def _minute(at: float) -> int:
    return int(at // 60)


def _counter_key(kind: str, account: str, minute: int) -> str:
    return f"{settings.REDIS_KEY_PREFIX}wa:health:{kind}:{account}:{minute}"


def _last_delivery_key() -> str:
    return f"{settings.REDIS_KEY_PREFIX}wa:health:last-delivery"


def _redis() -> Redis:
    return Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


class DeliveryCounts:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flushing = threading.Lock()  # one flush at a time: a caller's flush waits for the thread's to land
        self._counts: Counter[tuple[str, str, int]] = Counter()
        self._last: dict[str, float] = {}
        self._thread: threading.Thread | None = None

    def delivered(self, signed_for: Collection[str]) -> None:
        """A signed delivery was stored (the numbers whose app secret signed it)."""
        try:
            now = time.time()
            minute = _minute(now)
            with self._lock:
                self._counts[(DELIVERED, ANY_NUMBER, minute)] += 1
                for account in signed_for:
                    self._counts[(DELIVERED, account, minute)] += 1
                    self._last[account] = now
                self._last[ANY_NUMBER] = now
            self._start()
        except Exception:  # a hint: never the webhook's failure
            logger.exception("could not count a webhook delivery")

    def refused(self) -> None:
        """A delivery was refused for its signature."""
        try:
            with self._lock:
                self._counts[(REFUSED, ANY_NUMBER, _minute(time.time()))] += 1
            self._start()
        except Exception:
            logger.exception("could not count a refused webhook delivery")

    def _start(self) -> None:
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="webhook-delivery-counts", daemon=True)
                self._thread.start()

    def _serve(self) -> None:
        while True:
            time.sleep(settings.WHATSAPP_HEALTH_COUNTS_FLUSH_SECONDS)
            try:
                self.flush()
            except Exception:  # the thread outlives anything: every later count waits on it
                logger.exception("could not flush the webhook delivery counts")

    def flush(self) -> None:
        """Adds what gathered to Redis; on failure it is dropped (logged), never retried into a growing pile."""
        with self._flushing:
            self._flush()

    def _flush(self) -> None:
        with self._lock:
            counts, self._counts = self._counts, Counter()
            last, self._last = self._last, {}
        if not counts and not last:
            return
        try:
            with _redis() as redis:
                pipeline = redis.pipeline(transaction=False)
                for (kind, account, minute), count in counts.items():
                    key = _counter_key(kind, account, minute)
                    pipeline.incrby(key, count)
                    pipeline.expire(key, KEEP_SECONDS)
                if last:
                    pipeline.zadd(_last_delivery_key(), last, gt=True)
                pipeline.execute()
        except (RedisError, OSError):
            logger.warning("could not add %s webhook delivery counts to Redis", sum(counts.values()), exc_info=True)


delivery_counts = DeliveryCounts()


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookTraffic:
    """The last hour at the webhook, for one number; None where Redis could not be read."""

    delivered_last_hour: int | None
    refused_last_hour: int | None  # for the endpoint: a refused delivery names no number
    last_delivery_at: datetime | None


def webhook_traffic(accounts: Collection[str], *, now: float | None = None) -> dict[str, WebhookTraffic]:
    """The last 60 minutes (this one included) for each number, in two round trips to Redis."""
    now = time.time() if now is None else now
    minutes = range(_minute(now) - 59, _minute(now) + 1)
    accounts = list(accounts)
    keys = [_counter_key(REFUSED, ANY_NUMBER, minute) for minute in minutes]
    for account in accounts:
        keys += [_counter_key(DELIVERED, account, minute) for minute in minutes]
    try:
        with _redis() as redis:
            values = redis.mget(keys)
            last = redis.zmscore(_last_delivery_key(), accounts) if accounts else []
    except (RedisError, OSError):
        logger.warning("could not read the webhook delivery counts", exc_info=True)
        unknown = WebhookTraffic(delivered_last_hour=None, refused_last_hour=None, last_delivery_at=None)
        return dict.fromkeys(accounts, unknown)

    def total(chunk: list) -> int:
        return sum(int(value) for value in chunk if value is not None)

    refused = total(values[:60])
    traffic = {}
    for index, account in enumerate(accounts):
        start = 60 * (index + 1)
        at = last[index]
        traffic[account] = WebhookTraffic(
            delivered_last_hour=total(values[start : start + 60]),
            refused_last_hour=refused,
            last_delivery_at=datetime.fromtimestamp(at, tz=UTC) if at is not None else None,
        )
    return traffic
