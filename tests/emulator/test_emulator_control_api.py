"""The control API lets tests play the customer, wait without sleeping, and switch faults."""

import threading
import time

import pytest
import requests

from tests.emulator.conftest import CUSTOMER

pytestmark = pytest.mark.timeout(30)


def test_waiting_for_a_sent_message_returns_as_soon_as_it_exists(emulator):
    emulator.customer_writes()
    threading.Timer(0.3, emulator.send_text, kwargs={"body": "Late reply"}).start()

    started = time.monotonic()
    sent = emulator.control.wait_for_sent_message(to=f"+{CUSTOMER}", timeout=10)

    assert sent["text"]["body"] == "Late reply"
    assert 0.25 <= time.monotonic() - started < 5


def test_waiting_for_a_message_that_never_comes_gives_up_at_the_timeout(emulator):
    started = time.monotonic()

    assert emulator.control.sent_messages(to=CUSTOMER, min_count=1, timeout=0.3) == []
    assert time.monotonic() - started >= 0.3


def test_sent_messages_are_listed_oldest_first_per_customer(emulator):
    emulator.customer_writes()
    emulator.customer_writes(wa_id="447700900123")
    for body in ("one", "two"):
        emulator.send_text(body=body)
    emulator.send_text(to="447700900123", body="other")

    assert [m["text"]["body"] for m in emulator.control.sent_messages(to=CUSTOMER)] == ["one", "two"]
    assert len(emulator.control.sent_messages()) == 3


def test_the_feed_shows_both_sides_and_long_polls_for_changes(emulator):
    inbound = emulator.customer_writes("Hello?")
    feed = emulator.control.conversation(wa_id=CUSTOMER)
    assert feed["customer"]["name"] == "Ana" and feed["customer"]["window_open"] is True
    assert feed["business"]["display_phone_number"] == "+1 555 0100"

    threading.Timer(0.2, emulator.send_text, kwargs={"body": "Hi Ana"}).start()
    cursor, items = feed["cursor"], {}
    deadline = time.monotonic() + 5
    while "Hi Ana" not in items and time.monotonic() < deadline:
        update = emulator.control.conversation(wa_id=CUSTOMER, after=cursor, timeout=5)
        cursor = update["cursor"]
        items.update({item["text"]: item for item in update["items"]})

    assert items["Hi Ana"]["direction"] == "to_customer"
    assert items["Hi Ana"]["seq"] > feed["items"][0]["seq"]
    assert feed["items"][0] | {"status": "any"} == {
        "seq": 1,
        "id": inbound,
        "direction": "to_business",
        "type": "text",
        "text": "Hello?",
        "status": "any",
        "timestamp": feed["items"][0]["timestamp"],
        "reply_to": None,
        "content": {"body": "Hello?"},
        "media": None,
        "edited": False,
        "deleted": False,
    }


def test_a_reset_forgets_everything_and_starts_a_new_epoch(emulator):
    emulator.customer_writes()
    emulator.control.set_faults(duplicate_deliveries=True)
    epoch = emulator.control.conversation(wa_id=CUSTOMER)["epoch"]

    emulator.control.reset()

    feed = emulator.control.conversation(wa_id=CUSTOMER)
    assert feed["epoch"] != epoch and feed["items"] == [] and feed["customer"] is None
    assert emulator.control.faults()["duplicate_deliveries"] is False
    assert emulator.control.webhook_log() == [] and emulator.control.requests_log() == []


def test_a_feed_request_from_a_past_epoch_starts_over_at_once(emulator):
    emulator.customer_writes()

    started = time.monotonic()
    response = requests.get(
        f"{emulator.url}/_emulator/conversations/{CUSTOMER}",
        params={"after": 10_000, "epoch": "stale", "timeout": 10},
        timeout=10,
    )

    assert time.monotonic() - started < 2
    assert len(response.json()["items"]) == 1


def test_faults_are_updated_partially_and_validated(emulator):
    assert emulator.control.set_faults(drop_next_webhooks=2)["drop_next_webhooks"] == 2
    assert emulator.control.faults()["duplicate_deliveries"] is False

    for bad in ({"no_such_fault": True}, {"drop_next_webhooks": -1}, {"duplicate_deliveries": "yes"}):
        response = requests.post(f"{emulator.url}/_emulator/faults", json=bad, timeout=5)
        assert response.status_code == 400 and "error" in response.json()
    assert emulator.control.faults()["drop_next_webhooks"] == 2


def test_a_customer_not_on_whatsapp_cannot_write(emulator):
    emulator.control.set_customer(wa_id=CUSTOMER, on_whatsapp=False)

    response = requests.post(f"{emulator.url}/_emulator/customers/{CUSTOMER}/messages", json={"text": "hi"}, timeout=5)

    assert response.status_code == 409


def test_customers_are_created_and_listed(emulator):
    saved = emulator.control.set_customer(wa_id="+44 7700-900123", name="Maria", online=False)

    assert saved == {
        "wa_id": "447700900123",
        "name": "Maria",
        "on_whatsapp": True,
        "online": False,
        "last_inbound_at": None,
        "marketing_opted_out": False,
        "window_open": False,
    }
    customers = requests.get(f"{emulator.url}/_emulator/customers", timeout=5).json()["customers"]
    assert customers == [saved]


def test_health_and_the_phone_page_are_served(emulator):
    assert emulator.control.is_healthy()
    page = requests.get(f"{emulator.url}/", timeout=5)
    assert page.headers["Content-Type"].startswith("text/html") and 'data-testid="composer-input"' in page.text
    for asset in ("/phone", "/phone_page.js", "/phone_page.css"):
        assert requests.get(f"{emulator.url}{asset}", timeout=5).status_code == 200
    assert requests.get(f"{emulator.url}/_emulator/nothing", timeout=5).status_code == 404


def test_a_customer_who_stops_marketing_is_announced_by_a_user_preferences_webhook(emulator, webhook_receiver):
    saved = emulator.control.customer_sets_marketing("16505551234", stopped=True)

    assert saved["marketing_opted_out"] is True
    delivery = webhook_receiver.wait_for(lambda deliveries: len(deliveries) >= 1)[0]
    assert delivery.json()["entry"][0]["changes"][0]["field"] == "user_preferences"
    assert delivery.value()["user_preferences"][0]["value"] == "stop"


def test_a_template_changes_status_as_after_a_quality_review(emulator):
    paused = emulator.control.set_template_status("order_update", "PAUSED")

    assert paused["status"] == "PAUSED"
    assert emulator.control.set_template_status("order_update", "DELETED", language="de")["name"] == "order_update"
    names = [(t["name"], t["language"]) for t in emulator.control.templates()]
    assert ("order_update", "de") not in names and ("order_update", "en_US") in names
