"""Connections to PostgreSQL stay bounded by the pools under concurrent load through daphne and the worker."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.conf import settings
from django.db import connection

from channels_whatsapp.models import WebhookDelivery
from conftest import LiveSystem, wait_until
from tests.test_resilience import signed_text_delivery

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REQUESTS = 200
AT_A_TIME = 32
WORKER_CONCURRENCY = 2  # conftest's worker: each prefork child holds one connection while a task runs
THIS_TEST = 1  # the main thread's connection (the sampler does not count its own)


def server_connections() -> int:
    """Everyone's connections to the test database but this test's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


class ConnectionSampler:
    """The most connections seen, sampled from a thread of its own while the load runs."""

    def __init__(self) -> None:
        self.most = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._sample)

    def _sample(self) -> None:
        try:
            while not self._stopping.wait(0.05):
                self.most = max(self.most, server_connections())
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
    bound = settings.DATABASE_POOL["max_size"] + WORKER_CONCURRENCY + THIS_TEST
    after_each_round = []
    with ConnectionSampler() as sampler:
        for round_number in (1, 2):
            statuses = send_concurrently(live_system, round_number)

            assert set(statuses) == {200}
            wait_until(
                lambda: not WebhookDelivery.objects.filter(processed_at__isnull=True).exists(),
                timeout=120,
                message="the worker to process every delivery",
            )
            after_each_round.append(server_connections())

    assert WebhookDelivery.objects.count() == 2 * REQUESTS
    assert sampler.most <= bound, f"{sampler.most} connections at most; the pools allow {bound}"
    assert max(after_each_round) <= bound, after_each_round  # a leak grows with every round; a pool does not
