"""Meta's newer inbound kinds through the real system: the emulator's phone → signed webhook → worker → timeline."""

import pytest
from django.utils import timezone

from channels_whatsapp.models import GroupMessage
from conftest import LiveSystem, wait_until
from interactions.events import ChannelUserAddressChanged
from interactions.models import ChannelUser, Message, MessageKind
from interactions.services.customer_changes import change_channel_user_address
from interactions.services.receipts import send_read_receipts
from tests.test_conversation import customer_writes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CUSTOMER = "16505551234"


def changed(message: Message, field: str):
    message.refresh_from_db()
    return getattr(message, field)


def test_a_customers_edit_and_deletion_mark_their_message_for_the_agent(live_system: LiveSystem):
    message = customer_writes(live_system, "Does it come in another color?")
    edit = {"original_message_id": message.external_id, "message": {"type": "text", "text": {"body": "In blue?"}}}

    live_system.emulator.customer_sends_message(CUSTOMER, "edit", edit)
    wait_until(lambda: changed(message, "edited_at"), message="the edit")
    live_system.emulator.customer_sends_message(CUSTOMER, "revoke", {"original_message_id": message.external_id})
    wait_until(lambda: changed(message, "deleted_by_customer_at"), message="the deletion")

    assert (message.text, message.original_text) == ("In blue?", "Does it come in another color?")
    assert Message.objects.count() == 1  # the changes are marks on the message, not messages of their own


def test_a_customers_order_becomes_an_order_in_their_conversation(live_system: LiveSystem):
    order = {
        "catalog_id": "emulator-catalog",
        "text": "",
        "product_items": [
            {"product_retailer_id": "MILK-FROTHER", "quantity": 2, "item_price": 39.9, "currency": "EUR"}
        ],
    }

    wamid = live_system.emulator.customer_sends_message(CUSTOMER, "order", order, name="Sheena Nelson")

    recorded = wait_until(lambda: Message.objects.filter(external_id=wamid).first(), message="the order")
    assert recorded.kind == MessageKind.ORDER
    assert recorded.text == "Order: 2 items, EUR 79.80"


def test_a_group_message_is_kept_apart_and_opens_no_conversation(live_system: LiveSystem):
    wamid = live_system.emulator.customer_sends(CUSTOMER, "Is the shop open on Sunday?", group_id="Y2FwaV9ncm91cDpF")

    kept = wait_until(lambda: GroupMessage.objects.filter(wamid=wamid).first(), message="the group message")

    assert kept.text == "Is the shop open on Sunday?"
    assert not ChannelUser.objects.exists()
    assert not Message.objects.exists()


def test_read_receipts_name_the_customers_message_not_a_notice_about_them(live_system: LiveSystem):
    message = customer_writes(live_system, "Hello from my old phone")
    change_channel_user_address(
        event=ChannelUserAddressChanged(
            channel="whatsapp",
            account_id=message.interaction.channel_user.account_id,
            old_sender_id=CUSTOMER,
            new_sender_id="16505559876",
            external_id="wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQVNZU1RFTTAwMDAwMDAwMDAwMQA=",
            occurred_at=timezone.now(),
        )
    )

    send_read_receipts(interaction_id=message.interaction_id)

    message.refresh_from_db()
    assert message.read_receipt_sent_at is not None
    on_phone = {item["id"]: item for item in live_system.emulator.conversation(CUSTOMER)["items"]}
    assert on_phone[message.external_id]["status"] == "read"  # blue ticks: the channel was told of this message
