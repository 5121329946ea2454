"""Location request messages on the emulator, as Meta takes them (pywa found them refused as an invalid type)."""

import pytest

from tests.emulator.conftest import CUSTOMER


def location_request(text: str = "Where should we deliver?", **overrides) -> dict:
    return {
        "type": "location_request_message",
        "body": {"text": text},
        "action": {"name": "send_location"},
        **overrides,
    }


def send(emulator, interactive: dict):
    return emulator.post_messages(
        {"messaging_product": "whatsapp", "to": CUSTOMER, "type": "interactive", "interactive": interactive}
    )


def test_a_location_request_is_accepted_and_reaches_the_phone(emulator, webhook_receiver):
    emulator.customer_writes()

    response = send(emulator, location_request(text="x" * 1024))

    assert response.status_code == 200, response.text
    wamid = response.json()["messages"][0]["id"]
    assert webhook_receiver.wait_for_statuses(wamid, 2) == ["sent", "delivered"]
    (shown,) = [item for item in emulator.control.conversation(CUSTOMER)["items"] if item["id"] == wamid]
    assert shown["content"] == location_request(text="x" * 1024)


@pytest.mark.parametrize(
    ("interactive", "code", "details"),
    [
        (location_request(text="x" * 1025), 131009, "Param interactive['body']['text'] must be at most 1024"),
        (location_request(action={"name": "send_it"}), 100, "interactive['action']['name'] must be one of"),
        (location_request(body={}), 100, "The parameter interactive['body']['text'] is required."),
    ],
)
def test_a_location_request_outside_metas_rules_is_refused(emulator, interactive, code, details):
    emulator.customer_writes()

    error = send(emulator, interactive).json()["error"]

    assert error["code"] == code
    assert details in error["error_data"]["details"]


def test_the_shared_location_answers_the_request_with_context(emulator, webhook_receiver):
    emulator.customer_writes()
    request = send(emulator, location_request()).json()["messages"][0]["id"]
    location = {"latitude": 48.8584, "longitude": 2.2945, "name": "Eiffel Tower"}

    emulator.control.customer_sends_message(CUSTOMER, "location", location, reply_to=request)

    deliveries = webhook_receiver.wait_for(
        lambda ds: any(m.get("type") == "location" for d in ds for m in d.value().get("messages", []))
    )
    message = next(m for d in deliveries for m in d.value().get("messages", []) if m["type"] == "location")
    assert (message["location"], message["context"]["id"]) == (location, request)
