"""Webhooks reach the app as Meta sends them: signed envelopes, statuses in order, retries and faults."""

import time
from dataclasses import replace

import pytest
import requests

from channels_whatsapp.emulator.server import EmulatorServer
from channels_whatsapp.signature import SIGNATURE_HEADER, SignatureRefused, signing_accounts
from tests.emulator.conftest import BUSINESS, CUSTOMER, RunningEmulator, wait_until

pytestmark = pytest.mark.timeout(30)


def _accepted_wamid(emulator: RunningEmulator, **send) -> str:
    response = emulator.send_text(**send)
    assert response.status_code == 200, response.text
    return response.json()["messages"][0]["id"]


def test_a_customers_message_arrives_in_metas_envelope(emulator, webhook_receiver):
    wamid = emulator.customer_writes("Where is my order?", name="Ana Silva")

    delivery = webhook_receiver.wait_for(lambda d: len(d) >= 1)[0]

    assert delivery.json() == {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": BUSINESS.waba_id,
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": BUSINESS.display_phone_number,
                                "phone_number_id": BUSINESS.phone_number_id,
                            },
                            "contacts": [{"profile": {"name": "Ana Silva"}, "wa_id": CUSTOMER}],
                            "messages": [
                                {
                                    "from": CUSTOMER,
                                    "id": wamid,
                                    "timestamp": delivery.value()["messages"][0]["timestamp"],
                                    "type": "text",
                                    "text": {"body": "Where is my order?"},
                                }
                            ],
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }
    assert abs(int(delivery.value()["messages"][0]["timestamp"]) - time.time()) < 5


def test_every_webhook_is_signed_with_the_app_secret_over_the_exact_bytes(emulator, webhook_receiver):
    emulator.customer_writes()
    _accepted_wamid(emulator)

    deliveries = webhook_receiver.wait_for(lambda d: len(d) >= 3)

    for delivery in deliveries:
        assert delivery.headers["Content-Type"] == "application/json"
        assert delivery.headers["User-Agent"] == "facebookexternalua"
        header_value = delivery.headers[SIGNATURE_HEADER]
        secrets = {"ours": BUSINESS.app_secret, "another": "another secret"}
        assert signing_accounts(body=delivery.body, header_value=header_value, app_secrets=secrets) == {"ours"}
        with pytest.raises(SignatureRefused):
            signing_accounts(body=delivery.body, header_value=header_value, app_secrets={"another": "another secret"})


def test_the_customers_ticks_turn_double_when_the_app_answers_200(emulator, webhook_receiver):
    webhook_receiver.answer_next(503)
    wamid = emulator.customer_writes()

    feed = emulator.control.conversation(wa_id=CUSTOMER)
    assert feed["items"][0]["status"] == "sent"
    assert wait_until(lambda: emulator.control.conversation(wa_id=CUSTOMER)["items"][0]["status"] == "delivered")
    assert [d.answered for d in webhook_receiver.deliveries] == [503, 200]
    assert [d.value()["messages"][0]["id"] for d in webhook_receiver.deliveries] == [wamid, wamid]


def test_a_reply_goes_sent_then_delivered_then_read(emulator, webhook_receiver):
    emulator.customer_writes()
    wamid = _accepted_wamid(emulator)

    assert webhook_receiver.wait_for_statuses(wamid, 2) == ["sent", "delivered"]
    assert emulator.control.customer_reads(wa_id=CUSTOMER) == [wamid]
    assert webhook_receiver.wait_for_statuses(wamid, 3) == ["sent", "delivered", "read"]

    statuses = {status["status"]: status for status in webhook_receiver.status_objects(wamid)}
    sent = statuses["sent"]
    assert sent["id"] == wamid and sent["recipient_id"] == CUSTOMER
    assert sent["timestamp"].isdigit()
    assert sent["pricing"] == {
        "billable": False,
        "pricing_model": "PMP",
        "type": "free_customer_service",
        "category": "service",
    }
    assert "conversation" not in sent  # Meta leaves it out from v24.0
    assert "pricing" in statuses["delivered"] and "pricing" not in statuses["read"]
    assert "contacts" not in webhook_receiver.deliveries[-1].value()
    assert emulator.control.wait_for_sent_message(to=CUSTOMER)["status"] == "read"


def test_before_v24_statuses_carry_the_service_conversation(emulator, webhook_receiver):
    emulator.customer_writes()
    response = emulator.post_messages(
        {"messaging_product": "whatsapp", "to": CUSTOMER, "text": {"body": "x"}}, version="v23.0"
    )
    wamid = response.json()["messages"][0]["id"]

    webhook_receiver.wait_for_statuses(wamid, 2)

    sent, delivered = webhook_receiver.status_objects(wamid)
    assert sent["conversation"]["origin"] == {"type": "service"}
    assert int(sent["conversation"]["expiration_timestamp"]) > time.time() + 23 * 3600
    assert delivered["conversation"] == {"id": sent["conversation"]["id"], "origin": {"type": "service"}}


def test_an_offline_phone_gets_the_message_when_it_comes_back(emulator, webhook_receiver):
    emulator.customer_writes()
    emulator.control.set_customer(wa_id=CUSTOMER, online=False)
    wamid = _accepted_wamid(emulator)

    assert webhook_receiver.wait_for_statuses(wamid, 1) == ["sent"]
    time.sleep(0.2)
    assert webhook_receiver.statuses(wamid) == ["sent"]

    emulator.control.set_customer(wa_id=CUSTOMER, online=True)
    assert webhook_receiver.wait_for_statuses(wamid, 2) == ["sent", "delivered"]


def test_a_message_read_at_once_has_no_delivered_status(emulator, webhook_receiver):
    emulator.customer_writes()
    emulator.control.set_customer(wa_id=CUSTOMER, online=False)
    wamid = _accepted_wamid(emulator)
    webhook_receiver.wait_for_statuses(wamid, 1)

    emulator.control.customer_reads(wa_id=CUSTOMER)

    assert webhook_receiver.wait_for_statuses(wamid, 2) == ["sent", "read"]
    read = webhook_receiver.status_objects(wamid)[-1]
    assert "pricing" in read


def test_a_number_not_on_whatsapp_is_accepted_then_fails_with_131026(emulator, webhook_receiver):
    emulator.control.set_customer(wa_id=CUSTOMER, on_whatsapp=False)

    wamid = _accepted_wamid(emulator)

    assert webhook_receiver.wait_for_statuses(wamid, 1) == ["failed"]
    [failed] = webhook_receiver.status_objects(wamid)
    assert failed["recipient_id"] == CUSTOMER
    [error] = failed["errors"]
    assert {key: error[key] for key in ("code", "title", "message", "error_data")} == {
        "code": 131026,
        "title": "Message undeliverable",
        "message": "Message undeliverable",
        "error_data": {"details": "Message Undeliverable."},
    }
    assert emulator.control.wait_for_sent_message(to=CUSTOMER)["status"] == "failed"


def test_a_webhook_the_app_refuses_is_redelivered_with_the_same_bytes(emulator, webhook_receiver):
    webhook_receiver.answer_next(500, 404)
    wamid = emulator.customer_writes()

    attempts = emulator.control.webhook_log(wamid=wamid, min_count=3, timeout=5)

    assert [(a["attempt"], a["outcome"], a["status_code"], a["final"]) for a in attempts] == [
        (1, "rejected", 500, False),
        (2, "rejected", 404, False),
        (3, "delivered", 200, True),
    ]
    bodies = {d.body for d in webhook_receiver.deliveries}
    assert len(webhook_receiver.deliveries) == 3 and len(bodies) == 1


def test_an_unreachable_app_is_retried_until_it_gives_up(emulator_config):
    config = replace(emulator_config, webhook_url="http://127.0.0.1:9/", webhook_max_attempts=3)
    with EmulatorServer(config) as server:
        emulator = RunningEmulator(server)
        wamid = emulator.customer_writes()

        attempts = emulator.control.webhook_log(wamid=wamid, min_count=3, timeout=5)

        assert [(a["outcome"], a["final"]) for a in attempts] == [("error", False), ("error", False), ("error", True)]
        assert "ConnectionError" in attempts[0]["error"]
        time.sleep(0.4)
        assert len(emulator.control.webhook_log(wamid=wamid)) == 3


def test_dropped_webhooks_are_redelivered_later(emulator, webhook_receiver):
    emulator.control.set_faults(drop_next_webhooks=2)
    wamid = emulator.customer_writes()

    attempts = emulator.control.webhook_log(wamid=wamid, min_count=3, timeout=5)

    assert [a["outcome"] for a in attempts] == ["dropped", "dropped", "delivered"]
    assert len(webhook_receiver.deliveries) == 1
    assert emulator.control.faults()["drop_next_webhooks"] == 0


def test_duplicate_deliveries_send_every_webhook_twice(emulator, webhook_receiver):
    emulator.control.set_faults(duplicate_deliveries=True)
    wamid = emulator.customer_writes()

    deliveries = webhook_receiver.wait_for(lambda d: len(d) >= 2)
    time.sleep(0.2)

    assert len(webhook_receiver.deliveries) == 2
    assert deliveries[0].body == deliveries[1].body
    assert deliveries[0].value()["messages"][0]["id"] == wamid


def test_a_duplicate_share_sends_that_share_twice_every_other_copy_later(emulator, webhook_receiver):
    emulator.control.set_faults(duplicate_share=1.0)
    first, second = emulator.customer_writes("one"), emulator.customer_writes("two")

    deliveries = webhook_receiver.wait_for(lambda d: len(d) >= 4, timeout=10)

    ids = [d.value()["messages"][0]["id"] for d in deliveries]
    assert sorted(ids) == sorted([first, first, second, second])
    attempts = emulator.control.webhook_log(min_count=4, timeout=5)
    copies = sorted(a["at"] for a in attempts if a["duplicate"])
    originals = sorted(a["at"] for a in attempts if not a["duplicate"])
    assert copies[0] - originals[0] < 0.5  # the first copy at the same moment
    assert copies[1] - originals[1] > 1.5  # the second one later


def test_a_reorder_share_holds_a_whole_message_or_none_of_it(emulator, webhook_receiver):
    emulator.customer_writes()
    emulator.control.set_faults(reorder_share=1.0)
    wamid = _accepted_wamid(emulator)
    assert wait_until(lambda: emulator.control.wait_for_sent_message(to=CUSTOMER)["status"] == "delivered")
    assert webhook_receiver.statuses(wamid) == []

    emulator.control.customer_reads(wa_id=CUSTOMER)

    assert webhook_receiver.wait_for_statuses(wamid, 3) == ["read", "delivered", "sent"]
    emulator.control.set_faults(reorder_share=0.0)
    other = _accepted_wamid(emulator)
    assert webhook_receiver.wait_for_statuses(other, 2) == ["sent", "delivered"]


def test_reordered_statuses_arrive_read_before_delivered_before_sent(emulator, webhook_receiver):
    emulator.customer_writes()
    emulator.control.set_faults(reorder_statuses=True)
    wamid = _accepted_wamid(emulator)
    assert wait_until(lambda: emulator.control.wait_for_sent_message(to=CUSTOMER)["status"] == "delivered")
    assert webhook_receiver.statuses(wamid) == []

    emulator.control.customer_reads(wa_id=CUSTOMER)

    assert webhook_receiver.wait_for_statuses(wamid, 3) == ["read", "delivered", "sent"]


def test_switching_reordering_off_releases_what_it_held(emulator, webhook_receiver):
    emulator.customer_writes()
    emulator.control.set_faults(reorder_statuses=True)
    wamid = _accepted_wamid(emulator)
    assert wait_until(lambda: emulator.control.wait_for_sent_message(to=CUSTOMER)["status"] == "delivered")

    emulator.control.set_faults(reorder_statuses=False)

    assert webhook_receiver.wait_for_statuses(wamid, 2) == ["delivered", "sent"]


def test_webhook_delay_holds_each_delivery_back(emulator, webhook_receiver):
    emulator.control.set_faults(webhook_delay_seconds=0.5)
    started = time.monotonic()
    emulator.customer_writes()

    webhook_receiver.wait_for(lambda d: len(d) >= 1)

    assert time.monotonic() - started >= 0.5


def test_with_no_webhook_url_no_app_is_notified_but_statuses_still_advance(emulator_config, webhook_receiver):
    with EmulatorServer(replace(emulator_config, webhook_url="")) as server:
        emulator = RunningEmulator(server)
        emulator.customer_writes()
        wamid = emulator.send_text().json()["messages"][0]["id"]

        assert wait_until(lambda: emulator.control.sent_messages()[0]["status"] == "delivered")
        assert requests.get(f"{emulator.url}/_emulator/webhooks", timeout=5).json() == {"attempts": []}
        assert webhook_receiver.deliveries == []
        assert emulator.control.sent_messages()[0]["id"] == wamid
