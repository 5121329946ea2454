"""How far Meta's stream has been applied, on Meta's clock: what a send of unknown outcome waits for before it may
be tried again (`interactions.policies.unknown_outcome_wait`)."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from channels_whatsapp.inbox import inbox_progress, process_webhook_deliveries
from channels_whatsapp.models import WebhookDelivery
from channels_whatsapp.tests.webhook_deliveries import make_the_database_refuse_message, stored, text_from

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("example_numbers")]

MORNING = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def text_stamped(wamid: str, at: datetime) -> dict:
    document = text_from("16505550001", wamid)
    document["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = str(int(at.timestamp()))
    return document


def test_the_stream_counts_as_applied_up_to_the_oldest_delivery_still_waiting():
    first, waiting, later = stored(
        text_stamped("wamid.A", MORNING.replace(minute=1)),
        text_stamped("wamid.B", MORNING.replace(minute=2)),
        text_stamped("wamid.C", MORNING.replace(minute=3)),
    )
    process_webhook_deliveries(delivery_ids=[first, later])

    progress = inbox_progress()

    assert progress.applied_through == MORNING.replace(minute=1)  # not 9:03: 9:02 came before it and still waits
    assert progress.backlog
    assert progress.last_received_at == WebhookDelivery.objects.get(pk=later).received_at

    process_webhook_deliveries(delivery_ids=[waiting])

    progress = inbox_progress()
    assert progress.applied_through == MORNING.replace(minute=3)
    assert not progress.backlog


def test_a_delivery_that_failed_holds_the_stream_back_and_records_no_event_time():
    if connection.vendor == "sqlite":
        pytest.skip("needs a PostgreSQL trigger to make the database refuse one message")
    make_the_database_refuse_message("wamid.POISON")
    applied, failed = stored(
        text_stamped("wamid.A", MORNING.replace(minute=1)), text_stamped("wamid.POISON", MORNING.replace(minute=5))
    )

    process_webhook_deliveries(delivery_ids=[applied, failed])

    assert WebhookDelivery.objects.get(pk=failed).newest_event_at is None
    assert WebhookDelivery.objects.get(pk=applied).newest_event_at == MORNING.replace(minute=1)
    assert inbox_progress().applied_through == MORNING.replace(minute=1)


def test_an_empty_inbox_has_applied_nothing_and_has_no_backlog():
    assert inbox_progress() == type(inbox_progress())(applied_through=None, last_received_at=None, backlog=False)


def test_an_event_stamped_in_the_future_counts_as_no_later_than_we_received_it():
    [delivery] = stored(text_stamped("wamid.FUTURE", datetime(2100, 1, 1, tzinfo=UTC)))

    process_webhook_deliveries(delivery_ids=[delivery])

    assert inbox_progress().applied_through == WebhookDelivery.objects.get(pk=delivery).received_at
