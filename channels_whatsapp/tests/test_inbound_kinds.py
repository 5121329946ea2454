"""Meta's documented inbound kinds beyond text and media, on Meta's example payloads: each gets its own effect.

Translated to the core's events, then applied through the signed webhook as Meta delivers them.
"""

from datetime import UTC, datetime

import pytest
from django.test import Client

from channels_whatsapp import translate
from channels_whatsapp.models import GroupMessage
from channels_whatsapp.payloads import IncomingMessage, parse_notification
from channels_whatsapp.tests.meta_fixtures import meta_body, meta_payload
from channels_whatsapp.tests.webhook_deliveries import stored_and_processed
from interactions.events import ChannelUserAddressChanged, InboundMedia, InboundMessageChanged
from interactions.models import ChannelUser, Interaction, Message, MessageKind
from interactions.roles import ADMIN
from tests.factories import UserFactory

ORIGINAL = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUVCRDk4QjdCQjUzQjI3MUFBMwA="
OURS = "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA"
CUSTOMER = "16505551234"
CLICK_ID = "ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-GABDLOPaOdRMv-_zfUQ2a"


def only_message(name: str) -> IncomingMessage:
    (event,) = parse_notification(meta_payload(name))
    assert isinstance(event, IncomingMessage)
    return event


def original_text_message_body() -> bytes:
    """Meta's text example, given the id the edit and revoke fixtures refer to."""
    return meta_body("text_message").replace(
        b"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", ORIGINAL.encode()
    )


# ------------------------------------------------------------------------------------------- translation


def test_a_number_change_moves_the_customer_from_the_old_number_to_the_new():
    event = translate.customer_event(only_message("system_user_changed_number"))

    assert event == ChannelUserAddressChanged(
        channel="whatsapp",
        account_id="106540352242922",
        old_sender_id=CUSTOMER,
        new_sender_id="16505559876",
        external_id="wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQVNZU1RFTTAwMDAwMDAwMDAwMQA=",
        occurred_at=datetime.fromtimestamp(1753851315, tz=UTC),
        notice="User Sheena Nelson changed from 16505551234 to 16505559876",
    )


def test_a_revoke_deletes_the_message_it_names_and_an_edit_carries_the_new_text():
    revoke = translate.customer_event(only_message("revoke_message"))
    edit = translate.customer_event(only_message("edit_message"))

    assert isinstance(revoke, InboundMessageChanged) and isinstance(edit, InboundMessageChanged)
    assert (revoke.target_external_id, revoke.deleted, revoke.new_text) == (ORIGINAL, True, "")
    assert (edit.target_external_id, edit.deleted, edit.new_text) == (ORIGINAL, False, "Does it come in dark blue?")


def test_an_edited_caption_is_the_new_text():
    document = meta_payload("edit_message")
    document["entry"][0]["changes"][0]["value"]["messages"][0]["edit"]["message"] = {
        "type": "image",
        "image": {"caption": "The blue one", "mime_type": "image/jpeg", "sha256": "4654+8g=", "id": "65463453"},
    }
    (message,) = parse_notification(document)

    assert translate.customer_event(message).new_text == "The blue one"


def test_an_order_becomes_an_order_with_its_items_quantities_and_prices():
    inbound = translate.customer_event(only_message("order_message"))

    assert inbound.kind == MessageKind.ORDER
    assert inbound.content == {
        "catalog_id": "354160437058781",
        "text": "Please deliver after 5 pm",
        "items": [
            {"product_retailer_id": "HAMBURGER", "quantity": 3.0, "item_price": 30.0, "currency": "ILS"},
            {"product_retailer_id": "FRENCH_FRIES", "quantity": 2.0, "item_price": 35.0, "currency": "ILS"},
            {"product_retailer_id": "SODA", "quantity": 2.0, "item_price": 10.0, "currency": "ILS"},
        ],
    }


def test_a_flow_reply_shows_the_flows_name_body_and_fields_without_our_token():
    inbound = translate.customer_event(only_message("interactive_nfm_reply"))

    assert inbound.kind == MessageKind.INTERACTIVE
    assert inbound.reply_to_external_id == OURS
    assert inbound.content == {
        "type": "flow_reply",
        "name": "flow",
        "body": "Sent",
        "response": {
            "comment_text": "Comment Text",
            "delivery_rating": "4",
            "purchase_rating": "2",
            "recommend_radio": "0",
            "cs_rating": "0",
        },
    }


def test_a_flow_reply_whose_response_is_not_json_keeps_it_as_it_came():
    document = meta_payload("interactive_nfm_reply")
    document["entry"][0]["changes"][0]["value"]["messages"][0]["interactive"]["nfm_reply"]["response_json"] = "{oops"
    (message,) = parse_notification(document)

    assert translate.customer_event(message).content["response"] == {"response_json": "{oops"}


def test_an_ad_referral_is_kept_on_the_message():
    inbound = translate.customer_event(only_message("referral_text_message"))

    assert (inbound.kind, inbound.text) == (MessageKind.TEXT, "Can I get more info about this?")
    assert inbound.content["referral"] == {
        "headline": "Summer sale",
        "body": "Free shipping on every order this week.",
        "source_url": "https://fb.me/3cr4Wqqkv",
        "source_type": "ad",
        "source_id": "6504123456789",
        "media_type": "image",
        "click_id": CLICK_ID,
    }


def test_a_legacy_voice_message_is_a_voice_note():
    inbound = translate.customer_event(only_message("voice_message_legacy"))

    assert (inbound.kind, inbound.content) == (MessageKind.AUDIO, {"voice": True})
    assert inbound.media == InboundMedia(
        external_id="1234567890987654321",
        mime_type="audio/ogg; codecs=opus",
        sha256="m04pFf2ERdaopTyFkGPA0+bX3i+YY2dYgVFwOgDLSDI=",
    )


def test_a_shared_location_answering_our_request_is_linked_to_it():
    inbound = translate.customer_event(only_message("location_reply_to_request"))

    assert (inbound.kind, inbound.reply_to_external_id) == (MessageKind.LOCATION, OURS)


# ------------------------------------------------------------------------------------------- through the webhook


@pytest.mark.django_db
@pytest.mark.usefixtures("example_numbers")
def test_a_group_message_is_kept_for_admins_and_never_filed_as_the_senders_own_conversation(client: Client):
    delivery = stored_and_processed(client, meta_body("group_text_message"))

    assert delivery.summary == "1 group messages (not supported)"
    assert not Message.objects.exists()
    assert not ChannelUser.objects.exists()
    kept = GroupMessage.objects.get()
    assert (kept.sender, kept.sender_name, kept.type, kept.text) == (
        CUSTOMER,
        "Sheena Nelson",
        "text",
        "Is the shop open on Sunday?",
    )
    assert kept.group_id == "Y2FwaV9ncm91cDoxNjUwNTU1MTIzNDoxMjAzNjMyNzQ1NTU0ODMz"

    stored_and_processed(client, meta_body("group_text_message"))
    assert GroupMessage.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("example_numbers")
def test_an_admin_sees_group_messages(client: Client):
    stored_and_processed(client, meta_body("group_text_message"))
    client.force_login(UserFactory(role=ADMIN, is_staff=True))

    page = client.get("/admin/channels_whatsapp/groupmessage/")

    assert page.status_code == 200
    assert b"Is the shop open on Sunday?" in page.content


@pytest.mark.django_db
@pytest.mark.usefixtures("example_numbers")
def test_an_edit_and_a_revoke_through_the_webhook_mark_the_customers_message(client: Client):
    stored_and_processed(client, original_text_message_body())

    stored_and_processed(client, meta_body("edit_message"))
    stored_and_processed(client, meta_body("revoke_message"))

    message = Message.objects.get()
    assert (message.text, message.original_text) == ("Does it come in dark blue?", "Does it come in another color?")
    # Meta's example times are long past the 7 days Meta redelivers for: believed as the time of receipt.
    assert message.edited_at is not None and message.deleted_by_customer_at is not None


@pytest.mark.django_db
@pytest.mark.usefixtures("example_numbers")
def test_a_number_change_through_the_webhook_moves_the_customer_and_notes_it(client: Client):
    stored_and_processed(client, meta_body("text_message"))

    delivery = stored_and_processed(client, meta_body("system_user_changed_number"))

    assert delivery.summary == "1 messages"
    customer = ChannelUser.objects.get()
    assert customer.external_id == "16505559876"
    note = Message.objects.get(kind=MessageKind.NOTICE)
    assert note.interaction == Interaction.objects.get()
    assert "16505551234" in note.text and "16505559876" in note.text


def test_a_new_business_scoped_user_id_moves_the_customer_like_a_new_number():
    document = meta_payload("system_user_changed_number")
    message = document["entry"][0]["changes"][0]["value"]["messages"][0]
    del message["from"]
    message["system"] = {
        "body": "User changed from CO.1234567890 to MX.0987654321",
        "user_id": "MX.0987654321",
        "previous_user_id": "CO.1234567890",
        "type": "user_changed_user_id",
    }
    (parsed,) = parse_notification(document)

    event = translate.customer_event(parsed)

    assert (event.old_sender_id, event.new_sender_id) == ("CO.1234567890", "MX.0987654321")
