"""One task for many stored deliveries: each event applied once, each delivery marked on its own."""

import pytest
from django.db import connection

from channels_whatsapp.inbox import process_webhook_deliveries
from channels_whatsapp.models import WebhookDelivery
from channels_whatsapp.tests.meta_fixtures import meta_payload
from channels_whatsapp.tests.webhook_deliveries import make_the_database_refuse_message, stored, text_from
from interactions.models import DeliveryStatusEvent, Interaction, Message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("example_numbers")]


def test_a_batch_records_each_message_once_however_often_it_was_delivered():
    ids = stored(
        text_from("16505550001", "wamid.A"),
        text_from("16505550002", "wamid.B"),
        text_from("16505550001", "wamid.A"),  # Meta's redelivery, in the same batch
        text_from("16505550001", "wamid.C"),
    )

    process_webhook_deliveries(delivery_ids=ids)
    process_webhook_deliveries(delivery_ids=ids)  # the task again, after a lost acknowledgement

    assert sorted(Message.objects.values_list("external_id", flat=True)) == ["wamid.A", "wamid.B", "wamid.C"]
    first_customer = Interaction.objects.get(channel_user__external_id="16505550001")
    assert (first_customer.last_sequence, first_customer.unread_count) == (2, 2)
    assert list(WebhookDelivery.objects.values_list("attempts", flat=True).distinct()) == [1]
    assert not WebhookDelivery.objects.filter(processed_at__isnull=True).exists()


def test_a_message_redelivered_in_a_later_batch_is_not_recorded_again():
    process_webhook_deliveries(delivery_ids=stored(text_from("16505550001", "wamid.A")))

    later = stored(text_from("16505550001", "wamid.A"))
    process_webhook_deliveries(delivery_ids=later)

    assert Message.objects.count() == 1
    assert WebhookDelivery.objects.get(pk=later[0]).summary == "1 messages"


def test_statuses_of_a_batch_are_kept_once_each():
    ids = stored(meta_payload("status_delivered"), meta_payload("status_read"), meta_payload("status_delivered"))

    process_webhook_deliveries(delivery_ids=ids)

    assert DeliveryStatusEvent.objects.count() == 2
    assert set(WebhookDelivery.objects.values_list("summary", flat=True)) == {"1 statuses"}


def test_an_event_that_fails_keeps_only_its_own_delivery_for_another_try():
    if connection.vendor == "sqlite":
        pytest.skip("needs a PostgreSQL trigger to make the database refuse one message")
    make_the_database_refuse_message("wamid.poison")
    good, poisoned, later = stored(
        text_from("16505550001", "wamid.A"), text_from("16505550002", "wamid.poison"), meta_payload("status_read")
    )

    assert process_webhook_deliveries(delivery_ids=[good, poisoned, later]) == [poisoned]

    unprocessed = WebhookDelivery.objects.filter(processed_at__isnull=True)
    assert list(unprocessed.values_list("pk", flat=True)) == [poisoned]
    assert "IncomingMessage" in unprocessed.get().last_error
    assert Message.objects.filter(external_id="wamid.A").exists()
