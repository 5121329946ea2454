"""WhatsApp events into the core's events: kinds, unsupported types, statuses and their errors."""

from datetime import UTC, datetime

import pytest

from channels_whatsapp import translate
from channels_whatsapp.payloads import WhatsAppStatus, parse_notification
from channels_whatsapp.tests.meta_fixtures import meta_payload
from interactions.events import DeliveryStatusUpdate, InboundMedia, InboundMessage
from interactions.models import MessageKind


def only_event(name: str, *, mutate=None):
    document = meta_payload(name)
    if mutate is not None:
        mutate(document["entry"][0]["changes"][0]["value"])
    (event,) = parse_notification(document)
    return event


def test_a_text_message_becomes_a_core_text_message():
    inbound = translate.inbound_message(only_event("text_message"))

    assert inbound == InboundMessage(
        channel="whatsapp",
        account_id="106540352242922",
        sender_id="16505551234",
        sender_name="Sheena Nelson",
        external_id="wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
        sent_at=datetime(2025, 6, 8, 20, 59, 43, tzinfo=UTC),
        kind=MessageKind.TEXT,
        text="Does it come in another color?",
        content={},
        reply_to_external_id=None,
    )


def test_a_reply_keeps_the_id_of_the_quoted_message():
    inbound = translate.inbound_message(only_event("reply_to_message"))

    assert inbound.reply_to_external_id == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA"


def test_an_image_becomes_an_image_message_with_its_caption_as_text_and_its_media_id():
    inbound = translate.inbound_message(only_event("image_message"))

    assert inbound.kind == MessageKind.IMAGE
    assert inbound.text == "Is this the right part?"
    assert inbound.media == InboundMedia(
        external_id="1003383421387256",
        mime_type="image/jpeg",
        sha256="SfInY0gT2qFpMlOq1ZkPnTaNQjG4ZUy5eHCuOK1KXoM=",
    )


def test_an_unsupported_message_is_shown_with_the_type_meta_names():
    inbound = translate.inbound_message(only_event("unsupported_message"))

    assert inbound.kind == MessageKind.UNSUPPORTED
    assert inbound.content == {"type": "poll_update"}


def test_an_unsupported_message_without_its_inner_type_is_shown_as_unsupported():
    event = only_event("unsupported_message", mutate=lambda value: value["messages"][0].pop("unsupported"))

    assert translate.inbound_message(event).content == {"type": "unsupported"}


@pytest.mark.parametrize("message_type", ["poll", "ephemeral"])
def test_every_type_the_core_cannot_show_yet_becomes_unsupported_with_its_type(message_type):
    def make_it(value):
        message = value["messages"][0]
        message["type"] = message_type
        message[message_type] = {"id": "1"}
        del message["text"]

    inbound = translate.inbound_message(only_event("text_message", mutate=make_it))

    assert (inbound.kind, inbound.content, inbound.text) == (MessageKind.UNSUPPORTED, {"type": message_type}, "")


def test_a_business_scoped_user_is_the_sender():
    inbound = translate.inbound_message(only_event("message_from_business_scoped_user"))

    assert inbound.sender_id == "US.13491208655302741918"
    assert inbound.kind == MessageKind.TEXT


@pytest.mark.parametrize(
    ("whatsapp_status", "core_status"),
    [("sent", "sent"), ("delivered", "delivered"), ("read", "read"), ("played", "read"), ("failed", "failed")],
)
def test_each_whatsapp_status_maps_to_a_core_status(whatsapp_status, core_status):
    event = only_event("status_delivered", mutate=lambda value: value["statuses"][0].update(status=whatsapp_status))

    update = translate.delivery_status(event)

    assert update.status == core_status


def test_a_status_carries_our_correlation_id_time_and_pricing():
    update = translate.delivery_status(only_event("status_sent"))

    assert update == DeliveryStatusUpdate(
        channel="whatsapp",
        account_id="106540352242922",
        external_id="wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA",
        status="sent",
        occurred_at=datetime(2025, 6, 18, 16, 22, 53, tzinfo=UTC),
        correlation_id="outbox-42",
        details={
            "pricing": {
                "billable": False,
                "pricing_model": "PMP",
                "type": "free_customer_service",
                "category": "service",
            },
            "conversation": {},
        },
    )


def test_a_failed_status_becomes_a_core_failure_with_code_and_title():
    update = translate.delivery_status(only_event("status_failed_131026"))

    assert update.status == "failed"
    assert update.error_code == "131026"
    assert update.error_title == "Message undeliverable"
    assert update.error_detail == "Message Undeliverable."


def test_a_failure_with_a_code_we_have_no_title_for_keeps_metas_title():
    def make_it(value):
        value["statuses"][0]["errors"] = [{"code": 131014, "title": "Request for url https://x/y.jpg failed"}]

    update = translate.delivery_status(only_event("status_failed_131026", mutate=make_it))

    assert (update.error_code, update.error_title, update.error_detail) == (
        "131014",
        "Request for url https://x/y.jpg failed",
        "",
    )


def test_an_unknown_status_translates_to_nothing():
    event = only_event("status_read", mutate=lambda value: value["statuses"][0].update(status="deleted"))

    assert event.status == WhatsAppStatus.UNKNOWN
    assert translate.delivery_status(event) is None


def test_a_system_notice_about_the_customer_is_kept_but_opens_no_service_window():
    def make_it(value):
        message = value["messages"][0]
        message["type"] = "system"
        message["system"] = {"body": "User identity changed", "type": "customer_identity_changed"}
        del message["text"]

    event = translate.inbound_message(only_event("text_message", mutate=make_it))

    assert (event.kind, event.text) == (MessageKind.NOTICE, "User identity changed")
    assert event.content == {"type": "customer_identity_changed", "notice": "User identity changed"}
    assert event.opens_service_window is False


def test_a_customers_own_message_opens_the_service_window():
    assert translate.inbound_message(only_event("text_message")).opens_service_window is True
