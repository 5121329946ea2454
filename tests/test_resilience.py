"""What happens when parts fail: a worker killed mid-send, the broker or the database down at webhook time."""

import json
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
import requests
from django.conf import settings
from django.db.models import F
from redis import Redis

from channels_whatsapp.inbox import BROKER_MARK_KEY, broker_lost_its_data, enqueue_unprocessed_deliveries
from channels_whatsapp.models import WebhookDelivery
from channels_whatsapp.signature import SIGNATURE_HEADER, signature_header_value
from conftest import LiveSystem, free_port, wait_until
from interactions.models import DeliveryAttempt, Message
from tests.factories import agent_holding
from tests.test_conversation import CUSTOMER, customer_writes, reply

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def signed_text_delivery(wamid: str, text: str) -> tuple[bytes, dict]:
    from django.conf import settings

    document = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": settings.WHATSAPP_WABA_ID,
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550001234",
                                "phone_number_id": settings.WHATSAPP_PHONE_NUMBER_ID,
                            },
                            "contacts": [{"profile": {"name": "Kerry Fisher"}, "wa_id": CUSTOMER}],
                            "messages": [
                                {
                                    "from": CUSTOMER,
                                    "id": wamid,
                                    "timestamp": str(int(time.time())),
                                    "type": "text",
                                    "text": {"body": text},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }  # fmt: skip
    body = json.dumps(document).encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature_header_value(body=body, app_secret=settings.WHATSAPP_APP_SECRET),
    }
    return body, headers


def start_web_process(system: LiveSystem, name: str, *options: str, **environment: str) -> str:
    """A web server of the test's own, with daphne's `options` and the environment changed."""
    port = free_port()
    system.environment, saved = {**system.environment, **environment}, system.environment
    try:
        system.start(
            name,
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), *options, "config.asgi:application"],
            port,
        )
    finally:
        system.environment = saved
    return f"http://127.0.0.1:{port}"


def test_a_worker_killed_mid_send_never_sends_the_message_twice(live_system):
    inbound = customer_writes(live_system, "Hi")
    live_system.emulator.set_faults(slow_response_seconds=3)

    response = reply(live_system, agent_holding(inbound.interaction), inbound.interaction, "Sent exactly once")
    outbound = Message.objects.get(pk=response.json()["id"])
    wait_until(lambda: DeliveryAttempt.objects.filter(message=outbound).exists(), message="the send to start")
    pool = subprocess.run(["pgrep", "-P", str(live_system.processes["worker"].pid)], capture_output=True, text=True)
    for child in pool.stdout.split():
        subprocess.run(["kill", f"-{signal.SIGKILL.value}", child], check=False)

    # Meta accepted the request the dead worker made; its 'sent' status names our message, so the
    # outcome is reconciled and the task the broker hands out again does not send a second copy.
    wait_until(lambda: Message.objects.filter(pk=outbound.pk, external_id__isnull=False).exists(), timeout=20)
    live_system.emulator.set_faults(slow_response_seconds=0)
    time.sleep(3)
    assert len(live_system.emulator.sent_messages(CUSTOMER)) == 1
    outbound.refresh_from_db()
    assert outbound.external_id == live_system.emulator.sent_messages(CUSTOMER)[0]["id"]
    assert outbound.status in {"sent", "delivered"}


def test_with_the_broker_down_a_delivery_is_stored_answered_and_processed_later(live_system):
    web_url = start_web_process(live_system, "web-no-broker", REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    body, headers = signed_text_delivery("wamid.broker-down-1", "Anyone there?")

    started = time.monotonic()
    response = requests.post(f"{web_url}/webhooks/whatsapp/", data=body, headers=headers, timeout=30)

    assert response.status_code == 200
    assert time.monotonic() - started < 10
    delivery = WebhookDelivery.objects.get()
    assert delivery.processed_at is None
    assert not Message.objects.exists()
    live_system.stop("web-no-broker")

    assert enqueue_unprocessed_deliveries(older_than=timedelta(0)) == 1  # the periodic sweep, run now
    message = wait_until(lambda: Message.objects.filter(external_id="wamid.broker-down-1").first())
    assert message.text == "Anyone there?"


def test_with_the_database_down_a_delivery_is_answered_503_so_meta_redelivers(live_system, tmp_path):
    web_url = start_web_process(
        live_system, "web-no-database", DATABASE_URL=f"postgres://nobody@127.0.0.1:{free_port()}/nothing"
    )
    body, headers = signed_text_delivery("wamid.database-down-1", "Hello?")

    response = requests.post(f"{web_url}/webhooks/whatsapp/", data=body, headers=headers, timeout=30)
    live_system.stop("web-no-database")

    assert response.status_code == 503
    assert not WebhookDelivery.objects.exists()


def test_with_the_database_down_no_delivery_waits_out_more_than_one_connection_timeout(live_system):
    """Deliveries arriving one after another during an outage: those that gathered while an attempt waited for the
    database are refused with its error, not each after an attempt of its own in turn. Without that, each waited
    2.5 s longer than the one before, and the twelfth timed out after 30 s."""
    pool_timeout = 3.0
    web_url = start_web_process(
        live_system,
        "web-no-database",
        DATABASE_URL=f"postgres://nobody@127.0.0.1:{free_port()}/nothing",
        DATABASE_POOL_TIMEOUT=str(pool_timeout),
    )
    answers: list[tuple[int, float]] = []

    def deliver(number: int) -> None:
        body, headers = signed_text_delivery(f"wamid.outage-{number}", "Hello?")
        started = time.monotonic()
        response = requests.post(f"{web_url}/webhooks/whatsapp/", data=body, headers=headers, timeout=30)
        answers.append((response.status_code, time.monotonic() - started))

    senders = [threading.Thread(target=deliver, args=(number,)) for number in range(12)]
    for sender in senders:  # one every half second: 6 s of arrivals, two pool timeouts
        sender.start()
        time.sleep(0.5)
    for sender in senders:
        sender.join()
    live_system.stop("web-no-database")

    assert [status for status, _ in answers] == [503] * 12
    assert max(waited for _, waited in answers) < pool_timeout * 1.5


def test_the_sweep_leaves_deliveries_whose_tasks_wait_in_the_queue_and_enqueues_those_lost(live_system):
    def deliver(number: int) -> None:
        body, headers = signed_text_delivery(f"wamid.backlog-{number}", f"Message {number}")
        response = requests.post(f"{live_system.web_url}/webhooks/whatsapp/", data=body, headers=headers, timeout=30)
        assert response.status_code == 200

    live_system.stop("worker")  # a backlog: the deliveries' tasks wait in the queue
    try:
        for number in range(3):
            deliver(number)
        WebhookDelivery.objects.update(received_at=F("received_at") - timedelta(minutes=1))
        broker_lost_its_data()  # an earlier sweep left its mark in the broker

        assert enqueue_unprocessed_deliveries() == 0  # a second task each would only be drained as a no-op

        redis = Redis.from_url(settings.CELERY_BROKER_URL)
        redis.delete(f"{settings.REDIS_KEY_PREFIX}webhooks", f"{settings.REDIS_KEY_PREFIX}{BROKER_MARK_KEY}")
        deliver(3)  # Redis came back empty, and a new delivery's task waits in the queue again
        assert enqueue_unprocessed_deliveries() == 3  # all the lost ones at once, though the queue is not empty
        assert enqueue_unprocessed_deliveries() == 0  # the mark is back: their tasks wait in the queue now
    finally:
        live_system.start_worker()
    wait_until(lambda: not WebhookDelivery.objects.filter(processed_at__isnull=True).exists(), timeout=30)
    assert Message.objects.filter(external_id__startswith="wamid.backlog-").count() == 4
    assert WebhookDelivery.objects.filter(attempts=1).count() == 4  # each processed once: no task was doubled
