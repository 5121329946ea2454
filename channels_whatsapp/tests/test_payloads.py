"""parse_notification over Meta's example payloads, and over the odd shapes a real webhook can carry."""

import copy
from datetime import UTC, datetime

import pytest

from channels_whatsapp.payloads import (
    BusinessNumberRef,
    GraphError,
    IncomingMessage,
    MalformedPayload,
    StatusChanged,
    UnsupportedChange,
    ValueLevelError,
    WhatsAppStatus,
    parse_notification,
)
from channels_whatsapp.tests.meta_fixtures import all_meta_payload_names, meta_payload

META_NUMBER = BusinessNumberRef(phone_number_id="106540352242922", display_phone_number="15550783881")


def only_event(document: dict):
    events = parse_notification(document)
    assert len(events) == 1, events
    return events[0]


def first_value(document: dict) -> dict:
    return document["entry"][0]["changes"][0]["value"]


@pytest.mark.parametrize("name", all_meta_payload_names())
def test_every_meta_example_parses_into_events_with_aware_timestamps(name):
    events = parse_notification(meta_payload(name))

    assert events
    for event in events:
        if isinstance(event, IncomingMessage | StatusChanged):
            assert event.timestamp.tzinfo is not None
            assert event.timestamp.utcoffset().total_seconds() == 0


def test_a_text_message_becomes_an_incoming_message_with_sender_name_and_body():
    message = only_event(meta_payload("text_message"))

    assert message == IncomingMessage(
        business=META_NUMBER,
        wamid="wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
        sender="16505551234",
        profile_name="Sheena Nelson",
        timestamp=datetime(2025, 6, 8, 20, 59, 43, tzinfo=UTC),
        type="text",
        body={"body": "Does it come in another color?"},
    )
    assert message.text == "Does it come in another color?"
    assert message.context_message_id is None


def test_a_reply_names_the_message_it_quotes():
    message = only_event(meta_payload("reply_to_message"))

    assert message.context_message_id == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA"
    assert message.text == "Yes, the blue one please."


def test_an_image_keeps_its_media_object_and_has_no_text():
    message = only_event(meta_payload("image_message"))

    assert message.type == "image"
    assert message.body["id"] == "1003383421387256"
    assert message.body["mime_type"] == "image/jpeg"
    assert message.text == ""
    assert message.timestamp == datetime(2025, 4, 11, 4, 8, 16, tzinfo=UTC)


def test_an_unsupported_message_carries_its_real_type_and_metas_error():
    message = only_event(meta_payload("unsupported_message"))

    assert message.type == "unsupported"
    assert message.body == {"type": "poll_update"}
    assert message.errors == (
        GraphError(
            code=131051,
            title="Message type unknown",
            message="Message type unknown",
            details="Message type is currently not supported.",
        ),
    )


def test_a_message_from_a_business_scoped_user_is_attributed_to_their_user_id():
    message = only_event(meta_payload("message_from_business_scoped_user"))

    assert message.sender == "US.13491208655302741918"
    assert message.profile_name == "Sheena Nelson"
    assert message.text == "Hi, I found you by your username."


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("status_sent", WhatsAppStatus.SENT),
        ("status_delivered", WhatsAppStatus.DELIVERED),
        ("status_read", WhatsAppStatus.READ),
    ],
)
def test_a_status_names_the_message_its_status_and_our_callback_data(name, status):
    event = only_event(meta_payload(name))

    assert isinstance(event, StatusChanged)
    assert event.business == META_NUMBER
    assert event.wamid == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA"
    assert event.status == status
    assert event.recipient_id == "16505551234"
    assert event.callback_data == "outbox-42"
    assert event.errors == ()


def test_a_sent_status_keeps_its_pricing():
    event = only_event(meta_payload("status_sent"))

    assert event.timestamp == datetime(2025, 6, 18, 16, 22, 53, tzinfo=UTC)
    assert event.pricing == {
        "billable": False,
        "pricing_model": "PMP",
        "type": "free_customer_service",
        "category": "service",
    }
    assert event.conversation == {}


def test_a_failed_status_carries_code_title_and_details():
    event = only_event(meta_payload("status_failed_131026"))

    assert event.status == WhatsAppStatus.FAILED
    assert event.callback_data == ""
    assert event.errors == (
        GraphError(
            code=131026,
            title="Message undeliverable",
            message="Message undeliverable",
            details="Message Undeliverable.",
        ),
    )


def test_an_error_tied_to_no_message_becomes_a_value_level_error():
    event = only_event(meta_payload("value_level_error"))

    assert event == ValueLevelError(
        business=META_NUMBER,
        error=GraphError(
            code=131000,
            title="Something went wrong",
            message="Something went wrong",
            details="Unsupported webhook payload",
        ),
    )


def test_a_field_we_do_not_handle_becomes_an_unsupported_change():
    document = meta_payload("user_preferences_field")
    document["entry"][0]["changes"][0]["field"] = "account_update"

    event = only_event(document)

    assert event == UnsupportedChange(field="account_update", reason="field not handled")


def test_every_message_and_status_of_every_entry_and_change_is_parsed_in_order():
    events = parse_notification(meta_payload("multiple_entries_and_changes"))

    summary = [
        (type(event).__name__, event.business.phone_number_id, getattr(event, "sender", ""), event.wamid[-8:])
        for event in events
    ]
    assert summary == [
        ("IncomingMessage", "106540352242922", "16505551234", "MDAwMQA="),
        ("IncomingMessage", "106540352242922", "16505559876", "MDAwMgA="),
        ("StatusChanged", "106540352242922", "", "MDAwMDEA"),
        ("StatusChanged", "106540352242922", "", "MDAwMDIA"),
        ("IncomingMessage", "301122334455667", "16505552468", "MDAwMwA="),
        ("StatusChanged", "301122334455667", "", "MDAwMDMA"),
    ]
    assert [event.profile_name for event in events if isinstance(event, IncomingMessage)] == [
        "Sheena Nelson",
        "Pablo Morales",
        "Aiko Tanaka",
    ]
    assert [event.status for event in events if isinstance(event, StatusChanged)] == [
        WhatsAppStatus.DELIVERED,
        WhatsAppStatus.READ,
        WhatsAppStatus.SENT,
    ]


@pytest.mark.parametrize("raw_status", ["deleted", "warning", "", None, 7])
def test_a_status_value_we_do_not_know_becomes_unknown(raw_status):
    document = meta_payload("status_delivered")
    first_value(document)["statuses"][0]["status"] = raw_status

    assert only_event(document).status == WhatsAppStatus.UNKNOWN


def test_played_is_a_status_of_its_own():
    document = meta_payload("status_read")
    first_value(document)["statuses"][0]["status"] = "played"

    assert only_event(document).status == WhatsAppStatus.PLAYED


def test_malformed_items_are_reported_and_do_not_cost_the_rest_of_the_delivery():
    document = meta_payload("multiple_entries_and_changes")
    value = first_value(document)
    good_message = value["messages"][0]
    value["messages"] = [
        {"type": "text", "text": {"body": "no id, no sender"}},
        good_message,
        "not an object",
        None,
    ]
    document["entry"][0]["changes"][1]["value"]["statuses"].insert(0, {"status": "read"})  # no id

    events = parse_notification(document)

    kinds = [type(event).__name__ for event in events]
    assert kinds == [
        "UnsupportedChange",
        "IncomingMessage",
        "UnsupportedChange",
        "UnsupportedChange",
        "UnsupportedChange",
        "StatusChanged",
        "StatusChanged",
        "IncomingMessage",
        "StatusChanged",
    ]
    assert events[1] == parse_notification(meta_payload("multiple_entries_and_changes"))[0]
    assert {event.field for event in events if isinstance(event, UnsupportedChange)} == {
        "messages.messages",
        "messages.statuses",
    }


@pytest.mark.parametrize(
    "change",
    [{"field": "messages"}, {"field": "messages", "value": "text"}, "not an object", None],
    ids=["no value", "value not an object", "change is a string", "change is null"],
)
def test_a_change_without_a_value_object_is_unsupported_and_the_next_change_still_counts(change):
    document = meta_payload("text_message")
    document["entry"][0]["changes"].insert(0, change)

    events = parse_notification(document)

    assert events[0] == UnsupportedChange(field="?", reason="change without a value object")
    assert isinstance(events[1], IncomingMessage)


@pytest.mark.parametrize(
    "entry",
    [{"id": "1"}, {"id": "1", "changes": "none"}, "not an object", None],
    ids=["no changes", "changes not a list", "entry is a string", "entry is null"],
)
def test_an_entry_without_a_list_of_changes_is_skipped(entry):
    document = meta_payload("text_message")
    document["entry"].insert(0, entry)

    assert [type(event) for event in parse_notification(document)] == [IncomingMessage]


@pytest.mark.parametrize("key", ["messages", "statuses", "errors"])
def test_a_list_that_is_not_a_list_is_ignored(key):
    document = meta_payload("text_message")
    first_value(document)[key] = {"unexpected": "object"}

    events = parse_notification(document)

    assert [type(event) for event in events] == ([] if key == "messages" else [IncomingMessage])


def test_an_empty_list_of_entries_is_a_valid_but_empty_delivery():
    assert parse_notification({"object": "whatsapp_business_account", "entry": []}) == []


@pytest.mark.parametrize(
    "document",
    [
        {"object": "page", "entry": []},
        {"object": "instagram", "entry": []},
        {"entry": []},
        {"object": "whatsapp_business_account"},
        {"object": "whatsapp_business_account", "entry": {"id": "1"}},
        [],
        "whatsapp_business_account",
        None,
        42,
    ],
    ids=[
        "page",
        "instagram",
        "no object",
        "no entry",
        "entry not a list",
        "a list",
        "a string",
        "null",
        "a number",
    ],
)
def test_a_document_that_is_not_a_waba_notification_is_malformed(document):
    with pytest.raises(MalformedPayload):
        parse_notification(document)


@pytest.mark.parametrize("raw_timestamp", [None, "", "yesterday", "1749416383.5", [], -(10**12)])
def test_an_unreadable_timestamp_becomes_an_aware_now_instead_of_an_error(raw_timestamp):
    document = meta_payload("text_message")
    first_value(document)["messages"][0]["timestamp"] = raw_timestamp
    before = datetime.now(tz=UTC)

    message = only_event(document)

    assert before <= message.timestamp <= datetime.now(tz=UTC)


def test_a_numeric_timestamp_is_read_like_a_string_one():
    document = meta_payload("text_message")
    first_value(document)["messages"][0]["timestamp"] = 1749416383

    assert only_event(document).timestamp == datetime(2025, 6, 8, 20, 59, 43, tzinfo=UTC)


def test_a_message_without_a_contact_has_an_empty_profile_name():
    document = meta_payload("text_message")
    del first_value(document)["contacts"]

    assert only_event(document).profile_name == ""


def test_an_error_without_a_numeric_code_keeps_its_title():
    document = meta_payload("status_failed_131026")
    first_value(document)["statuses"][0]["errors"] = [{"code": "131026", "message": "(#131026) Undeliverable"}]

    error = only_event(document).errors[0]

    assert error.code is None
    assert error.title == "(#131026) Undeliverable"


def test_a_contact_with_a_malformed_profile_costs_only_its_name():
    document = meta_payload("text_message")
    first_value(document)["contacts"][0]["profile"] = "Sheena Nelson"

    message = only_event(document)

    assert message.text == "Does it come in another color?"
    assert message.profile_name == ""


def test_contacts_that_are_not_a_list_are_ignored():
    document = meta_payload("text_message")
    first_value(document)["contacts"] = 5

    assert only_event(document).profile_name == ""


def test_a_timestamp_too_large_for_the_platform_becomes_now_instead_of_an_error():
    document = meta_payload("text_message")
    first_value(document)["messages"][0]["timestamp"] = str(10**18)

    assert only_event(document).timestamp.tzinfo is not None


def test_parsing_leaves_the_document_untouched():
    document = meta_payload("multiple_entries_and_changes")
    original = copy.deepcopy(document)

    parse_notification(document)

    assert document == original
