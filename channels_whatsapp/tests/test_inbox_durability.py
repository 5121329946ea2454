"""Nobody hears of an event a crash could still take back: the inbox applies events with asynchronous commits, so
the pushes (and tasks) they announce wait for the synchronous commit that marks their delivery processed."""

import pytest
from django.db import DatabaseError, connection

from channels_whatsapp.inbox import process_webhook_deliveries
from channels_whatsapp.tests.webhook_deliveries import stored, text_from
from interactions.models import Message

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("example_numbers", "live_worker_paused"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="asynchronous commits are PostgreSQL's (CI runs it)"),
]


@pytest.fixture
def marking_processed_fails():
    """The database refuses to mark a delivery processed, as when it goes away right after the events' commits."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_processed_mark() RETURNS trigger AS $$ BEGIN "
            "IF NEW.processed_at IS NOT NULL THEN RAISE EXCEPTION 'refused by the database'; END IF; "
            "RETURN NEW; END $$ LANGUAGE plpgsql;"
            "CREATE TRIGGER refuse_processed_mark BEFORE UPDATE ON channels_whatsapp_webhookdelivery "
            "FOR EACH ROW EXECUTE FUNCTION refuse_processed_mark();"
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER refuse_processed_mark ON channels_whatsapp_webhookdelivery;"
            "DROP FUNCTION refuse_processed_mark();"
        )


def _message_pushes(events) -> list[str]:
    return [event["message"]["external_id"] for _, event in events if event["type"] == "message.changed"]


def test_a_customers_message_is_pushed_once_its_delivery_is_marked_processed(live_events):
    process_webhook_deliveries(delivery_ids=stored(text_from("16505550001", "wamid.A")))

    assert _message_pushes(live_events()) == ["wamid.A"]


def test_nothing_is_pushed_of_events_whose_delivery_could_not_be_marked_processed(live_events, marking_processed_fails):
    ids = stored(text_from("16505550001", "wamid.A"))

    with pytest.raises(DatabaseError, match="refused by the database"):
        process_webhook_deliveries(delivery_ids=ids)

    assert Message.objects.filter(external_id="wamid.A").exists()  # applied, but perhaps not yet on disk
    assert live_events() == []
