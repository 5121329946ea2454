"""Connections to PostgreSQL stay bounded by the pools under concurrent load through daphne and the worker."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.conf import settings
from django.db import connection

from channels_whatsapp.models import WebhookDelivery
from conftest import LiveSystem, database_application_name, wait_until
from tests.test_resilience import signed_text_delivery

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REQUESTS = 200
AT_A_TIME = 32
WORKER_CONCURRENCY = 2  # conftest's worker: each prefork child keeps one connection
WEB, WORKER = database_application_name("web"), database_application_name("worker")


def server_connections() -> Counter:
    """The live processes' connections to the test database, by process (see conftest's PGAPPNAME)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT application_name, count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name IN (%s, %s) GROUP BY application_name",
            [WEB, WORKER],
        )
        return Counter(dict(cursor.fetchall()))


class ConnectionSampler:
    """The most connections seen per process, sampled from a thread of its own while the load runs."""

    def __init__(self) -> None:
        self.most = Counter()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._sample)

    def _sample(self) -> None:
        try:
            while not self._stopping.wait(0.05):
                self.most |= server_connections()
        finally:
            connection.close()

    def __enter__(self) -> "ConnectionSampler":
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stopping.set()
        self._thread.join()


def send_concurrently(system: LiveSystem, round_number: int) -> list[int]:
    def health(_index: int) -> int:
        return requests.get(f"{system.web_url}/healthz/", timeout=30).status_code

    def webhook(index: int) -> int:
        body, headers = signed_text_delivery(f"wamid.pool-{round_number}-{index}", f"Message {index}")
        return requests.post(f"{system.web_url}/webhooks/whatsapp/", data=body, headers=headers, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=AT_A_TIME) as executor:
        return [*executor.map(health, range(REQUESTS)), *executor.map(webhook, range(REQUESTS))]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="counting a server's connections needs PostgreSQL (CI runs it)"
)
def test_concurrent_requests_and_tasks_hold_no_more_connections_than_the_pools_allow(live_system):
    pool_size = settings.DATABASE_POOL["max_size"]
    web_after_each_round = []
    with ConnectionSampler() as sampler:
        for round_number in (1, 2):
            statuses = send_concurrently(live_system, round_number)

            assert set(statuses) == {200}
            wait_until(
                lambda: not WebhookDelivery.objects.filter(processed_at__isnull=True).exists(),
                timeout=120,
                message="the worker to process every delivery",
            )
            web_after_each_round.append(server_connections()[WEB])
            # Between tasks a prefork child keeps its one connection for the next task (config/celery.py).
            assert server_connections()[WORKER] <= WORKER_CONCURRENCY

    assert WebhookDelivery.objects.count() == 2 * REQUESTS
    assert sampler.most[WEB] <= pool_size, f"{sampler.most[WEB]} connections; the web server's pool allows {pool_size}"
    assert max(web_after_each_round) <= pool_size, web_after_each_round  # a leak grows with every round
    # One per child, kept from task to task.
    assert sampler.most[WORKER] <= WORKER_CONCURRENCY, sampler.most
