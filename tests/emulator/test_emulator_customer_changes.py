"""The customer edits or deletes their own messages, orders from a catalog, and writes in a group: each arrives as
Meta's webhook shapes it (pywa's and Meta's example payloads), and shows on the phone as WhatsApp shows it."""

import pytest
import requests

from tests.emulator.conftest import CUSTOMER


def messages_of_type(webhook_receiver, message_type: str) -> list[dict]:
    deliveries = webhook_receiver.wait_for(
        lambda ds: any(m.get("type") == message_type for d in ds for m in d.value().get("messages", []))
    )
    return [m for d in deliveries for m in d.value().get("messages", []) if m["type"] == message_type]


def test_an_edit_arrives_with_the_original_id_and_the_whole_new_message(emulator, webhook_receiver):
    original = emulator.customer_writes("Does it come in another color?")
    edit = {"original_message_id": original, "message": {"type": "text", "text": {"body": "In dark blue?"}}}

    wamid = emulator.control.customer_sends_message(CUSTOMER, "edit", edit)

    (message,) = messages_of_type(webhook_receiver, "edit")
    assert (message["id"], message["from"], message["edit"]) == (wamid, CUSTOMER, edit)
    (shown,) = emulator.control.conversation(CUSTOMER)["items"]
    assert (shown["id"], shown["text"], shown["edited"]) == (original, "In dark blue?", True)


def test_a_deletion_for_everyone_arrives_as_a_revoke_and_the_phone_shows_it_deleted(emulator, webhook_receiver):
    original = emulator.customer_writes("My card number is 4111…")

    emulator.control.customer_sends_message(CUSTOMER, "revoke", {"original_message_id": original})

    (message,) = messages_of_type(webhook_receiver, "revoke")
    assert message["revoke"] == {"original_message_id": original}
    (shown,) = emulator.control.conversation(CUSTOMER)["items"]
    assert (shown["id"], shown["deleted"]) == (original, True)


def test_only_the_customers_own_messages_can_be_changed(emulator):
    emulator.customer_writes()
    theirs = emulator.customer_writes("Someone else's", wa_id="4915112345678")

    response = requests.post(
        f"{emulator.url}/_emulator/customers/{CUSTOMER}/messages",
        json={"type": "revoke", "revoke": {"original_message_id": theirs}},
        timeout=5,
    )

    assert response.status_code == 409


def test_an_order_arrives_in_metas_order_shape(emulator, webhook_receiver):
    order = {
        "catalog_id": "354160437058781",
        "text": "Please deliver after 5 pm",
        "product_items": [{"product_retailer_id": "HAMBURGER", "quantity": 3, "item_price": 30, "currency": "ILS"}],
    }

    emulator.control.customer_sends_message(CUSTOMER, "order", order, name="Ana")

    (message,) = messages_of_type(webhook_receiver, "order")
    assert message["order"] == order


@pytest.mark.parametrize(
    "order",
    [{"catalog_id": "1", "product_items": []}, {"catalog_id": "1", "product_items": [{"product_retailer_id": "X"}]}],
)
def test_an_order_without_items_is_refused(emulator, order):
    response = requests.post(
        f"{emulator.url}/_emulator/customers/{CUSTOMER}/messages", json={"type": "order", "order": order}, timeout=5
    )

    assert response.status_code == 400


def test_a_message_in_a_group_carries_the_group_id(emulator, webhook_receiver):
    emulator.control.customer_sends(CUSTOMER, "Is the shop open on Sunday?", group_id="Y2FwaV9ncm91cDpFWEFNUExF")

    (message,) = messages_of_type(webhook_receiver, "text")
    assert message["group_id"] == "Y2FwaV9ncm91cDpFWEFNUExF"
