"""A delivery speaks only for the business numbers whose app secret signed it; a bad signature header is a 401."""

import json

import pytest
from cryptography.fernet import Fernet
from django.test import Client

from channels_whatsapp.models import BusinessNumber, WebhookDelivery
from channels_whatsapp.signature import signature_header_value
from channels_whatsapp.signing_secrets import signing_secrets
from channels_whatsapp.tests.meta_fixtures import meta_payload
from channels_whatsapp.tests.webhook_deliveries import APP_SECRET, URL, post_delivery, stored_and_processed
from consent.models import ConsentRecord
from interactions.models import ChannelUser, DeliveryStatusEvent, Message
from interactions.services.inbound import record_inbound_message
from interactions.services.outbound import send_agent_reply
from interactions.services.statuses import correlation_id_for
from interactions.tests.core_events import inbound_message
from tests.factories import agent

pytestmark = pytest.mark.django_db

OURS = "100200300400500"  # the settings' number, signed with APP_SECRET
OTHER_APP = "301122334455667"
OTHER_SECRET = "second-app-secret"
CUSTOMER = "16505551234"


@pytest.fixture(autouse=True)
def two_numbers_of_two_apps(client) -> None:
    client.get(URL)  # creates the settings' number
    BusinessNumber.objects.create(
        phone_number_id=OTHER_APP, access_token="t", app_secret=OTHER_SECRET, verify_token="other-verify-token"
    )
    # The customer already wrote to our number, so a forged STOP from them would have something to change.
    ChannelUser.objects.create(channel="whatsapp", account_id=OURS, external_id=CUSTOMER)


def speaking_for(phone_number_id: str, fixture: str, *, text: str | None = None) -> dict:
    document = meta_payload(fixture)
    value = document["entry"][0]["changes"][0]["value"]
    value["metadata"]["phone_number_id"] = phone_number_id
    if text is not None:
        value["messages"][0]["text"]["body"] = text
    return document


def body_of(*documents: dict) -> bytes:
    """One delivery holding the entries of all the documents."""
    return json.dumps({**documents[0], "entry": [entry for d in documents for entry in d["entry"]]}).encode()


def nothing_recorded() -> bool:
    return not (Message.objects.exists() or DeliveryStatusEvent.objects.exists() or ConsentRecord.objects.exists())


@pytest.mark.parametrize(
    ("fixture", "text"),
    [("text_message", None), ("text_message", "STOP"), ("status_read", None), ("user_preferences_field", None)],
    ids=["a message", "a STOP", "a status", "a marketing stop"],
)
def test_one_apps_secret_cannot_speak_for_another_apps_number(client, fixture, text):
    delivery = stored_and_processed(client, body_of(speaking_for(OURS, fixture, text=text)), secret=OTHER_SECRET)

    assert delivery.signed_for == [OTHER_APP]
    assert delivery.processed_at is not None  # refused for good, never retried
    assert delivery.last_error == ""
    assert delivery.summary == "1 refused"
    assert repr(OURS) in delivery.refusals and OTHER_APP in delivery.refusals
    assert nothing_recorded()


@pytest.mark.parametrize("fixture", ["text_message", "status_read", "user_preferences_field"])
def test_a_numbers_own_app_secret_speaks_for_it(client, fixture):
    delivery = stored_and_processed(client, body_of(speaking_for(OURS, fixture)), secret=APP_SECRET)

    assert delivery.signed_for == [OURS]
    assert delivery.refusals == ""
    assert not nothing_recorded()


def test_only_the_signing_numbers_events_of_a_mixed_delivery_are_applied(client):
    body = body_of(speaking_for(OURS, "text_message", text="forged"), speaking_for(OTHER_APP, "reply_to_message"))

    delivery = stored_and_processed(client, body, secret=OTHER_SECRET)

    assert delivery.summary == "1 messages, 1 refused"
    message = Message.objects.get()
    assert message.interaction.channel_user.account_id == OTHER_APP
    assert message.text != "forged"


def test_numbers_of_the_same_app_share_its_secret_and_each_is_spoken_for(client):
    BusinessNumber.objects.filter(phone_number_id=OTHER_APP).update(app_secret=APP_SECRET)
    body = body_of(speaking_for(OURS, "text_message"), speaking_for(OTHER_APP, "reply_to_message"))

    delivery = stored_and_processed(client, body, secret=APP_SECRET)

    assert delivery.signed_for == sorted([OURS, OTHER_APP])
    assert delivery.summary == "2 messages"


def test_an_inactive_numbers_secret_signs_nothing(client):
    BusinessNumber.objects.filter(phone_number_id=OTHER_APP).update(is_active=False)

    response = post_delivery(client, body_of(speaking_for(OTHER_APP, "text_message")), secret=OTHER_SECRET)

    assert response.status_code == 401
    assert not WebhookDelivery.objects.exists()


BODY = body_of(speaking_for(OURS, "text_message"))
VALID = signature_header_value(body=BODY, app_secret=APP_SECRET)


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (VALID[:-1] + "é", "64 hexadecimal digits"),
        (VALID[:-1] + "\xff", "64 hexadecimal digits"),
        (VALID[:-1] + "\x00", "64 hexadecimal digits"),
        ("sha1=" + VALID.removeprefix("sha256="), "not a sha256= signature"),
        (VALID.removeprefix("sha256="), "not a sha256= signature"),
        (VALID + "00", "64 hexadecimal digits"),
        (VALID[:20], "64 hexadecimal digits"),
        (f"{VALID},{VALID}", "several"),
        ("", "no X-Hub-Signature-256 header"),
    ],
    ids=["non-ascii", "latin-1 byte", "nul", "sha1 prefix", "no prefix", "too long", "too short", "twice", "empty"],
)
def test_a_malformed_signature_header_is_a_401_with_its_reason(client, header, reason):
    response = client.post(URL, data=BODY, content_type="application/json", headers={"X-Hub-Signature-256": header})

    assert response.status_code == 401
    assert reason in response.content.decode()
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize("declared", ["²", "١٢", "-1", "1e3", " 12", "99999999999999999999999999"])
def test_an_odd_content_length_is_never_a_server_error(client, declared):
    response = client.post(
        URL,
        data=BODY,
        content_type="application/json",
        headers={"X-Hub-Signature-256": VALID},
        CONTENT_LENGTH=declared,
    )

    assert response.status_code in (401, 413)  # the body is read as far as the server believes it


@pytest.mark.parametrize(
    "query",
    [
        "hub.mode=subscribe&hub.verify_token=%00&hub.challenge=1",
        "hub.mode=subscribe&hub.verify_token=%C3%A9%FF&hub.challenge=%ED%A0%80",
        "hub.mode=%00&hub.verify_token=test-verify-token&hub.challenge=1",
        "hub.mode=subscribe&hub.verify_token=a&hub.verify_token=b&hub.challenge=1",
        "hub.mode=subscribe&hub.verify_token=" + "x" * 10_000,
    ],
    ids=["nul token", "invalid utf-8", "nul mode", "two tokens", "a huge token"],
)
def test_an_odd_handshake_is_refused_never_a_server_error(client: Client, query):
    response = client.get(f"{URL}?{query}")

    assert response.status_code == (400 if "%00" in query else 403)  # a NUL is refused before any view runs


WAMID = meta_payload("status_read")["entry"][0]["changes"][0]["value"]["statuses"][0]["id"]


@pytest.fixture
def our_reply() -> Message:
    """Our number's reply to the customer, queued: its wamid not known yet."""
    customer_message = record_inbound_message(event=inbound_message(account_id=OURS, sender_id=CUSTOMER))
    return send_agent_reply(interaction=customer_message.interaction, author=agent(), text="It ships today.")


def status_naming(reply: Message, *, phone_number_id: str, by: str, status: str = "read") -> dict:
    document = speaking_for(phone_number_id, "status_read")
    raw = document["entry"][0]["changes"][0]["value"]["statuses"][0]
    raw["status"] = status
    raw["biz_opaque_callback_data"] = correlation_id_for(reply) if by == "correlation id" else ""
    return document


@pytest.mark.parametrize("by", ["wamid", "correlation id"])
def test_a_status_signed_for_another_number_naming_our_message_changes_nothing_of_it(client, our_reply, by):
    if by == "wamid":
        Message.objects.filter(pk=our_reply.pk).update(external_id=WAMID, status="sent")

    forged = stored_and_processed(
        client, body_of(status_naming(our_reply, phone_number_id=OTHER_APP, by=by)), secret=OTHER_SECRET
    )

    assert (forged.summary, forged.refusals) == ("1 statuses", "")
    our_reply.refresh_from_db()
    assert our_reply.status == ("sent" if by == "wamid" else "queued")
    # Our number's own report of the same status is not taken for a redelivery of the forged one.
    stored_and_processed(client, body_of(status_naming(our_reply, phone_number_id=OURS, by="correlation id")))
    our_reply.refresh_from_db()
    assert (our_reply.external_id, our_reply.status) == (WAMID, "read")


def test_a_number_whose_secrets_no_key_opens_is_left_out_and_the_others_still_work(client, settings, caplog):
    kept_keys = settings.FIELD_ENCRYPTION_KEYS
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    BusinessNumber.objects.create(
        phone_number_id="301122334455999", access_token="t", app_secret="lost-secret", verify_token="lost-verify"
    )
    settings.FIELD_ENCRYPTION_KEYS = kept_keys  # the key that number's secrets were stored with is gone
    signing_secrets._read = (float("-inf"), {})  # as after the cache's age

    delivery = stored_and_processed(client, body_of(speaking_for(OURS, "text_message")), secret=APP_SECRET)
    handshake = client.get(f"{URL}?hub.mode=subscribe&hub.verify_token=test-verify-token&hub.challenge=42")

    assert delivery.signed_for == [OURS] and not nothing_recorded()
    assert (handshake.status_code, handshake.content) == (200, b"42")
    assert "301122334455999: its app_secret cannot be decrypted" in caplog.text
