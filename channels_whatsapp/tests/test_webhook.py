"""`/webhooks/whatsapp/`: the handshake, signed deliveries stored raw, and processing a stored delivery."""

import json

import pytest
from django.test import Client

from channels_whatsapp.inbox import WebhookEventsFailed, process_webhook_delivery
from channels_whatsapp.models import BusinessNumber, WebhookDelivery
from channels_whatsapp.signature import signature_header_value
from channels_whatsapp.tests.meta_fixtures import meta_body, meta_payload
from channels_whatsapp.tests.webhook_deliveries import (
    APP_SECRET,
    EXAMPLE_NUMBERS,
    URL,
    make_the_database_refuse_message,
    post_delivery,
    stored_and_processed,
)
from interactions.models import DeliveryStatusEvent, Message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("example_numbers")]


def handshake(client: Client, **params: str):
    query = {"hub.mode": "subscribe", "hub.verify_token": "test-verify-token", "hub.challenge": "1158201444"}
    query.update({f"hub.{name}": value for name, value in params.items()})
    return client.get(URL, {name: value for name, value in query.items() if value is not None})


def test_the_handshake_echoes_the_challenge_as_plain_text(client):
    response = handshake(client)

    assert response.status_code == 200
    assert response.content == b"1158201444"
    assert response["Content-Type"].startswith("text/plain")


def test_the_business_number_is_created_from_settings_on_first_use(client):
    handshake(client)

    number = BusinessNumber.objects.get(phone_number_id="100200300400500")
    assert (number.phone_number_id, number.app_secret, number.verify_token, number.is_active) == (
        "100200300400500",
        APP_SECRET,
        "test-verify-token",
        True,
    )


@pytest.mark.parametrize(
    "params",
    [
        {"verify_token": "wrong-token"},
        {"verify_token": APP_SECRET},
        {"verify_token": ""},
        {"verify_token": None},
        {"mode": "unsubscribe"},
        {"mode": "SUBSCRIBE"},
        {"mode": None},
    ],
    ids=["wrong token", "app secret as token", "empty token", "no token", "other mode", "mode in capitals", "no mode"],
)
def test_the_handshake_is_refused_with_a_wrong_token_or_mode(client, params):
    response = handshake(client, **params)

    assert response.status_code == 403
    assert b"1158201444" not in response.content


def test_the_handshake_is_refused_for_an_inactive_number(client):
    handshake(client)
    BusinessNumber.objects.update(is_active=False)

    assert handshake(client).status_code == 403


def test_other_methods_are_not_allowed(client):
    assert client.put(URL, data=b"{}", content_type="application/json").status_code == 405


@pytest.mark.parametrize(
    "secret", [None, "wrong-secret", "test-verify-token"], ids=["no signature", "wrong secret", "verify token"]
)
def test_a_delivery_without_a_valid_signature_is_refused_and_not_stored(client, secret):
    response = post_delivery(client, meta_body("text_message"), secret=secret)

    assert response.status_code == 401
    assert not WebhookDelivery.objects.exists()


def test_a_signature_for_another_body_is_refused(client):
    signature = signature_header_value(body=meta_body("status_read"), app_secret=APP_SECRET)

    response = client.post(
        URL,
        data=meta_body("text_message"),
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature},
    )

    assert response.status_code == 401
    assert not WebhookDelivery.objects.exists()


def test_a_signed_delivery_is_stored_raw_and_answered_200(client, django_capture_on_commit_callbacks):
    body = meta_body("text_message")

    with django_capture_on_commit_callbacks() as callbacks:
        response = post_delivery(client, body)

    assert response.status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert bytes(delivery.body) == body
    assert delivery.processed_at is None
    assert delivery.attempts == 0
    assert len(callbacks) == 1  # processing is enqueued only once the row is committed
    assert not Message.objects.exists()  # nothing is processed in the request


@pytest.mark.parametrize(("size", "status"), [(99, 200), (100, 200), (101, 413), (10_000, 413)])
def test_a_body_over_the_size_limit_is_refused_and_nothing_is_stored(client, settings, size, status):
    settings.WHATSAPP_WEBHOOK_MAX_BODY_BYTES = 100
    body = b'{"object":"whatsapp_business_account","entry":[],"pad":"' + b"x" * size
    body = body[: size - 2] + b'"}'
    assert len(body) == size

    response = post_delivery(client, body)

    assert response.status_code == status
    assert WebhookDelivery.objects.count() == (1 if status == 200 else 0)


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"", b"\xff\xfe\x00garbage", b'"a string"', b"[1, 2, 3]", b'{"object": "page", "entry": []}'],
    ids=["broken json", "empty", "not utf-8", "a json string", "a json list", "another object"],
)
def test_a_signed_but_unreadable_delivery_is_kept_with_its_reason_and_never_retried(client, body):
    response = post_delivery(client, body)

    assert response.status_code == 200
    delivery = WebhookDelivery.objects.get()
    process_webhook_delivery(delivery_id=delivery.pk)  # never raises: a retry cannot make it readable
    delivery.refresh_from_db()
    assert delivery.processed_at is not None
    assert delivery.summary.startswith("unreadable: ")
    assert bytes(delivery.body) == body
    assert delivery.attempts == 1
    assert delivery.last_error == ""
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("fixture", "summary"),
    [
        ("text_message", "1 messages"),
        ("image_message", "1 messages"),
        ("status_failed_131026", "1 statuses"),
        ("value_level_error", "1 errors"),
        ("user_preferences_field", "1 preferences"),
        ("multiple_entries_and_changes", "3 messages, 3 statuses"),
    ],
)
def test_processing_a_delivery_records_what_it_held(client, fixture, summary):
    delivery = stored_and_processed(client, meta_body(fixture))

    assert delivery.processed_at is not None
    assert delivery.summary == summary


def test_processing_applies_every_message_and_status_of_a_batched_delivery(client):
    stored_and_processed(client, meta_body("multiple_entries_and_changes"))

    assert sorted(Message.objects.values_list("text", flat=True)) == [
        "Do you ship to Osaka?",
        "Hello again",
        "Where is my order?",
    ]
    assert sorted(DeliveryStatusEvent.objects.values_list("status", flat=True)) == ["delivered", "read", "sent"]


def test_processing_a_delivery_twice_changes_nothing_the_second_time(client):
    delivery = stored_and_processed(client, meta_body("text_message"))
    processed_at = delivery.processed_at

    process_webhook_delivery(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.processed_at, delivery.attempts) == (processed_at, 1)
    assert Message.objects.count() == 1


def test_the_same_message_delivered_twice_is_recorded_once(client):
    first = stored_and_processed(client, meta_body("text_message"))
    second = stored_and_processed(client, meta_body("text_message"))

    assert first.pk != second.pk
    assert second.processed_at is not None
    message = Message.objects.get()
    assert message.interaction.unread_count == 1


def test_processing_a_delivery_that_does_not_exist_does_nothing():
    process_webhook_delivery(delivery_id=987654321)

    assert not WebhookDelivery.objects.exists()


def test_a_delivery_with_a_malformed_contact_is_still_processed(client):
    document = meta_payload("text_message")
    document["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"] = "Sheena Nelson"

    delivery = stored_and_processed(client, json.dumps(document).encode())

    assert delivery.processed_at is not None
    assert Message.objects.get().text == "Does it come in another color?"


def test_an_event_that_cannot_be_stored_costs_only_itself_and_keeps_the_delivery_for_another_try(db):
    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("needs a PostgreSQL trigger to make the database refuse one message")
    make_the_database_refuse_message("wamid.poison")
    document = meta_payload("text_message")
    value = document["entry"][0]["changes"][0]["value"]
    good = value["messages"][0]
    value["messages"] = [{**good, "id": "wamid.poison"}, good]
    delivery = WebhookDelivery.objects.create(body=json.dumps(document).encode(), signed_for=[EXAMPLE_NUMBERS[0]])

    with pytest.raises(WebhookEventsFailed):
        process_webhook_delivery(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert Message.objects.filter(external_id=good["id"]).exists()
    assert delivery.processed_at is None
    assert "IncomingMessage" in delivery.last_error
    assert "1 failed" in delivery.summary and "1 messages" in delivery.summary
