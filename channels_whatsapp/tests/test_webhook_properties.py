"""Whatever reaches the webhook, signed or not: the parser answers typed events or its one refusal, the endpoint
answers 200 only for what it stored (and 401 with the reason otherwise), and processing a stored delivery ends
in one of its documented outcomes, keeping every message a customer sent or saying why it could not.

Hypothesis starts from Meta's own example payloads and puts any JSON in any field (another type, a huge number,
NUL, lone surrogates, right-to-left marks, emoji joined by ZWJ, 70,000 characters), or sends arbitrary bytes.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import datetime
from functools import cache

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from channels_whatsapp import translate
from channels_whatsapp.inbox import UNREADABLE_PREFIX, process_webhook_delivery
from channels_whatsapp.models import GroupMessage, WebhookDelivery
from channels_whatsapp.payloads import (
    IncomingMessage,
    MalformedPayload,
    MarketingPreference,
    NumberQualityUpdate,
    StatusChanged,
    TemplateQualityUpdate,
    TemplateStatusUpdate,
    UnsupportedChange,
    ValueLevelError,
    parse_notification,
)
from channels_whatsapp.tests.meta_fixtures import all_meta_payload_names, meta_body
from channels_whatsapp.tests.webhook_deliveries import APP_SECRET, URL
from interactions.events import ChannelUserAddressChanged, InboundMessage, InboundMessageChanged
from interactions.models import ChannelUser, Interaction, Message
from interactions.services.inbound import fitted_message_id
from interactions.storable_text import column_length, fitted_identifier
from tests.hostile_input import json_value, mutated, wire_json

EVENT_TYPES = (
    IncomingMessage,
    StatusChanged,
    MarketingPreference,
    ValueLevelError,
    UnsupportedChange,
    NumberQualityUpdate,
    TemplateStatusUpdate,
    TemplateQualityUpdate,
)


@cache
def _meta_document_text(name: str) -> str:
    return meta_body(name).decode()


def _text_message_at(timestamp: object) -> bytes:
    document = json.loads(_meta_document_text("text_message"))
    document["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = timestamp
    return wire_json(document)


meta_documents = st.sampled_from(all_meta_payload_names()).map(lambda name: json.loads(_meta_document_text(name)))
mutated_meta_documents = meta_documents.flatmap(mutated)
documents = st.one_of(mutated_meta_documents, meta_documents, json_value)


def _assert_well_typed(value: object) -> None:
    """Every str field holds a str and every datetime an aware datetime: what the core was promised."""
    for declared in fields(value):
        held = getattr(value, declared.name)
        if declared.type is str:
            assert isinstance(held, str), (declared.name, held)
        elif declared.type is datetime:
            assert isinstance(held, datetime) and held.tzinfo is not None, (declared.name, held)
        elif declared.type is dict:
            assert isinstance(held, dict), (declared.name, held)


@given(document=documents)
@example(document={"object": "whatsapp_business_account", "entry": "not a list"})
def test_the_parser_answers_typed_events_or_malformed_payload(document):
    try:
        events = parse_notification(document)
    except MalformedPayload as refusal:
        assert str(refusal)
        return

    for parsed in events:
        assert isinstance(parsed, EVENT_TYPES)
        _assert_well_typed(parsed)
        translated = {
            IncomingMessage: translate.customer_event,
            StatusChanged: translate.delivery_status,
            MarketingPreference: translate.marketing_preference,
        }.get(type(parsed), lambda parsed: None)(parsed)
        if translated is not None:
            _assert_well_typed(translated)


# What may reach the endpoint: Meta's shapes with wrong values, as Meta escapes them or as raw (even invalid)
# UTF-8; any JSON; any bytes.
bodies = st.one_of(
    mutated_meta_documents.map(wire_json),
    mutated_meta_documents.map(
        lambda document: json.dumps(document, ensure_ascii=False).encode("utf-8", "surrogatepass")
    ),
    json_value.map(wire_json),
    st.binary(max_size=300),
)
signatures = st.sampled_from(["ours", "ours", "ours", "none", "another secret", "malformed"])


@contextmanager
def rolled_back() -> Iterator[None]:
    """One example's writes, undone before the next: the examples share one test's database."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _signature_headers(body: bytes, signature: str) -> dict | None:
    from channels_whatsapp.signature import signature_header_value

    return {
        "ours": {"X-Hub-Signature-256": signature_header_value(body=body, app_secret=APP_SECRET)},
        "another secret": {"X-Hub-Signature-256": signature_header_value(body=body, app_secret="not ours")},
        "malformed": {"X-Hub-Signature-256": "sha256=\u00b2" + "0" * 63},
        "none": {},
    }[signature]


def _customer_events(body: bytes) -> list:
    """What the delivery carries from customers, read the way the worker reads it; [] if it is unreadable."""
    try:
        return parse_notification(json.loads(body.decode("utf-8"), strict=False))
    except (ValueError, RecursionError, MalformedPayload):
        return []


def _assert_kept_or_refused(event, delivery: WebhookDelivery) -> None:
    """A customer's message is in the desk (or among the groups' messages), or the delivery says why not."""
    if isinstance(event, UnsupportedChange):
        if event.field.startswith("messages."):
            assert event.field in delivery.refusals
        return
    if not isinstance(event, IncomingMessage):
        return
    if event.business.phone_number_id not in delivery.signed_for:
        assert repr(event.business.phone_number_id) in delivery.refusals
        return
    if event.group_id:
        wamid = fitted_identifier(event.wamid, max_length=column_length(GroupMessage, "wamid"))
        assert GroupMessage.objects.filter(wamid=wamid).exists()
        return
    core_event = translate.customer_event(event)
    if isinstance(core_event, InboundMessage):
        assert Message.objects.filter(external_id=fitted_message_id(core_event.external_id)).exists()
    elif isinstance(core_event, InboundMessageChanged):
        assert Message.objects.filter(
            external_id__in=[
                fitted_message_id(core_event.external_id),
                fitted_message_id(core_event.target_external_id),
            ]
        ).exists()
    else:
        assert isinstance(core_event, ChannelUserAddressChanged)  # tells of a customer, carries nothing they wrote


def assert_nothing_half_written() -> None:
    """No customer without a conversation, no conversation without a message."""
    assert not ChannelUser.objects.filter(interactions__isnull=True).exists()
    assert not Interaction.objects.filter(messages__isnull=True).exists()


@pytest.mark.django_db
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # each example is rolled back
@given(body=bodies, signature=signatures)
@example(body=_text_message_at("253402300799"), signature="ours")  # 9999-12-31 23:59:59, the last second a datetime has
@example(body=_text_message_at("-62135596800"), signature="ours")  # 0001-01-01, the first
@example(body=_text_message_at(2**64), signature="ours")
def test_any_delivery_is_stored_and_processed_and_loses_no_customer_message(example_numbers, body, signature):
    with rolled_back():
        response = Client().post(
            URL, data=body, content_type="application/json", headers=_signature_headers(body, signature)
        )

        if signature != "ours":
            assert response.status_code == 401
            assert response.content.startswith(b"Invalid signature: ")
            assert not WebhookDelivery.objects.exists()
            return
        assert response.status_code == 200
        delivery = WebhookDelivery.objects.get()
        assert bytes(delivery.body) == body
        process_webhook_delivery(delivery_id=delivery.pk)  # raises for nothing a sender controls
        delivery.refresh_from_db()
        event(delivery.summary.partition(":")[0])  # what the examples exercised (--hypothesis-show-statistics)
        assert delivery.processed_at is not None
        assert delivery.last_error == ""
        events = _customer_events(body)
        if not events:
            assert delivery.summary.startswith(UNREADABLE_PREFIX) or delivery.summary == "empty", delivery.summary
        for webhook_event in events:
            _assert_kept_or_refused(webhook_event, delivery)
        assert_nothing_half_written()


@pytest.mark.django_db
@given(parameters=st.dictionaries(st.sampled_from(["hub.mode", "hub.verify_token", "hub.challenge", "x"]), st.text()))
def test_the_verification_handshake_echoes_the_challenge_or_says_why_not(parameters):
    response = Client().get(URL, parameters)

    if response.status_code == 200:
        assert response.content.decode() == parameters["hub.challenge"]
    else:
        assert response.status_code in (400, 403)  # 400: a NUL in the query (interactions/query_guard.py)
        assert response.content


@pytest.mark.django_db
def test_messages_with_an_empty_id_are_each_kept_in_the_delivery_with_the_reason(example_numbers):
    document = json.loads(_meta_document_text("text_message"))
    messages = document["entry"][0]["changes"][0]["value"]["messages"]
    messages[0]["id"] = ""
    messages.append({**messages[0], "text": {"body": "A second message, also without an id"}})
    body = wire_json(document)

    response = Client().post(URL, data=body, content_type="application/json", headers=_signature_headers(body, "ours"))
    delivery = WebhookDelivery.objects.get()
    process_webhook_delivery(delivery_id=delivery.pk)

    assert response.status_code == 200
    delivery.refresh_from_db()
    assert delivery.summary == "2 refused"
    assert delivery.refusals.count("messages.messages could not be read") == 2
    assert not Message.objects.exists()  # neither taken for the other's redelivery
