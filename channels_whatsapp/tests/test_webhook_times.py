"""A time the channel claims is believed only as far as it can be true, measured against when we received it."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from channels_whatsapp.inbox import process_webhook_delivery
from channels_whatsapp.models import WebhookDelivery
from channels_whatsapp.tests.meta_fixtures import meta_payload
from channels_whatsapp.tests.webhook_deliveries import post_delivery
from interactions.channel_adapters import channel_capabilities
from interactions.models import DeliveryStatusEvent, Message
from interactions.policies import free_form_send_decision
from interactions.selectors import message_for_timeline
from interactions.serializers import MessageSerializer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("example_numbers")]

IN_2100 = datetime(2100, 1, 1, tzinfo=UTC)
IN_1970 = datetime(1970, 1, 2, tzinfo=UTC)
WHATSAPP_WINDOW = channel_capabilities("whatsapp").service_window


def claiming(fixture: str, kind: str, claimed: datetime) -> bytes:
    document = meta_payload(fixture)
    document["entry"][0]["changes"][0]["value"][kind][0]["timestamp"] = str(int(claimed.timestamp()))
    return json.dumps(document).encode()


def received(client: Client, body: bytes, *, days_ago: float = 0) -> WebhookDelivery:
    """Stored by the webhook (as if `days_ago`, when processing waited that long), then processed now."""
    assert post_delivery(client, body).status_code == 200
    delivery = WebhookDelivery.objects.latest("pk")
    WebhookDelivery.objects.filter(pk=delivery.pk).update(received_at=delivery.received_at - timedelta(days=days_ago))
    process_webhook_delivery(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.processed_at is not None
    return delivery


@pytest.mark.parametrize("claimed", [IN_2100, IN_1970], ids=["in 2100", "in 1970"])
def test_a_message_claiming_an_impossible_time_counts_from_its_receipt(client, claimed):
    delivery = received(client, claiming("text_message", "messages", claimed))

    message = Message.objects.select_related("interaction__channel_user").get()
    assert (message.sent_at, message.claimed_sent_at) == (delivery.received_at, claimed)
    assert message.interaction.last_message_at == delivery.received_at
    assert message.interaction.channel_user.last_inbound_at == delivery.received_at
    window = free_form_send_decision(
        last_inbound_at=message.interaction.channel_user.last_inbound_at,
        now=delivery.received_at + timedelta(hours=1),
        window=WHATSAPP_WINDOW,
    )
    assert window.allowed and window.window_closes_at == delivery.received_at + timedelta(hours=24)
    shown = MessageSerializer(message_for_timeline(message_id=message.pk)).data
    assert shown["claimed_sent_at"] != shown["sent_at"]


def test_a_late_redelivery_keeps_its_time_and_opens_no_fresh_window(client):
    claimed = datetime.now(tz=UTC).replace(microsecond=0) - timedelta(days=3)

    delivery = received(client, claiming("text_message", "messages", claimed))

    message = Message.objects.select_related("interaction__channel_user").get()
    assert message.sent_at == message.claimed_sent_at == claimed
    assert message.interaction.channel_user.last_inbound_at == claimed
    assert not free_form_send_decision(
        last_inbound_at=claimed, now=delivery.received_at, window=WHATSAPP_WINDOW
    ).allowed


def test_the_time_is_measured_against_receipt_not_against_a_late_processing(client):
    """Stored 8 days ago (the worker was down), sent a minute before that: believable, though 8 days old now."""
    claimed = datetime.now(tz=UTC).replace(microsecond=0) - timedelta(days=8, minutes=1)

    received(client, claiming("text_message", "messages", claimed), days_ago=8)

    assert Message.objects.get().sent_at == claimed


def test_a_status_claiming_an_impossible_time_counts_from_its_receipt(client):
    delivery = received(client, claiming("status_read", "statuses", IN_2100))

    assert DeliveryStatusEvent.objects.get().occurred_at == delivery.received_at
