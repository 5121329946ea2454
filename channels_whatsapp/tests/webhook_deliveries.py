"""Posting signed deliveries to the real webhook view and processing them as the task does."""

import json

from django.test import Client

from channels_whatsapp.inbox import process_webhook_delivery
from channels_whatsapp.models import WebhookDelivery
from channels_whatsapp.signature import signature_header_value
from channels_whatsapp.tests.meta_fixtures import meta_payload

URL = "/webhooks/whatsapp/"
APP_SECRET = "test-app-secret"
# Meta's example payloads speak for these numbers; here they belong to the same Meta app as the settings' number.
EXAMPLE_NUMBERS = ("106540352242922", "301122334455667")


def post_delivery(client: Client, body: bytes, *, secret: str | None = APP_SECRET):
    headers = {} if secret is None else {"X-Hub-Signature-256": signature_header_value(body=body, app_secret=secret)}
    return client.post(URL, data=body, content_type="application/json", headers=headers)


def stored_and_processed(client: Client, body: bytes, *, secret: str = APP_SECRET) -> WebhookDelivery:
    assert post_delivery(client, body, secret=secret).status_code == 200
    delivery = WebhookDelivery.objects.latest("pk")
    process_webhook_delivery(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery


def make_the_database_refuse_message(external_id: str) -> None:
    """A PostgreSQL trigger that refuses to store the message `external_id` (rolled back with the test): every value
    Meta can send is made storable, so only the database itself can make one event fail."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_poison() RETURNS trigger AS $$ BEGIN "
            f"IF NEW.external_id = '{external_id}' THEN RAISE EXCEPTION 'refused by the database'; END IF; "
            "RETURN NEW; END $$ LANGUAGE plpgsql;"
            "CREATE TRIGGER refuse_poison BEFORE INSERT ON interactions_message "
            "FOR EACH ROW EXECUTE FUNCTION refuse_poison();"
        )


def text_from(wa_id: str, wamid: str) -> dict:
    """Meta's example text message, from `wa_id`, with id `wamid`."""
    document = meta_payload("text_message")
    value = document["entry"][0]["changes"][0]["value"]
    value["contacts"][0]["wa_id"] = value["messages"][0]["from"] = wa_id
    value["messages"][0]["id"] = wamid
    return document


def stored(*documents: dict) -> list[int]:
    """Stored as the webhook stores them, signed for the first example number, not yet processed."""
    return [
        WebhookDelivery.objects.create(body=json.dumps(document).encode(), signed_for=[EXAMPLE_NUMBERS[0]]).pk
        for document in documents
    ]
