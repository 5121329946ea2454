"""Nothing a customer wrote disappears after Meta got its 200: what can be kept is stored, sanitised and marked;
what cannot be read stays in the inbox, raw, with its reason. Run on SQLite and on PostgreSQL (DATABASE_URL)."""

import json

import pytest

from channels_whatsapp.inbox import MAX_PROCESSING_ATTEMPTS
from channels_whatsapp.models import WebhookDelivery
from channels_whatsapp.tests.meta_fixtures import meta_payload
from channels_whatsapp.tests.webhook_deliveries import stored_and_processed
from interactions.models import Message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("example_numbers")]

NUL = "\x00"
LONE_SURROGATE = "\ud800"
REPLACED = "\ufffd"


def text_message(*, text="Hi", name="Sheena", wa_id="16505551234", wamid="wamid.salvage") -> bytes:
    document = meta_payload("text_message")
    value = document["entry"][0]["changes"][0]["value"]
    value["contacts"] = [{"profile": {"name": name}, "wa_id": wa_id}]
    value["messages"][0].update({"from": wa_id, "id": wamid, "text": {"body": text}})
    # ensure_ascii: NUL and lone surrogates go over the wire as the \u0000 and \ud800 escapes Meta would send.
    return json.dumps(document, ensure_ascii=True).encode()


def location_message(latitude: str) -> bytes:
    document = meta_payload("location_message")
    document["entry"][0]["changes"][0]["value"]["messages"][0]["location"]["latitude"] = "LATITUDE"
    return json.dumps(document).encode().replace(b'"LATITUDE"', latitude.encode())


def recorded(client, body: bytes) -> Message:
    delivery = stored_and_processed(client, body)
    assert bytes(delivery.body) == body  # the exact bytes, NUL escapes and all
    assert delivery.processed_at is not None, delivery.last_error
    assert delivery.last_error == ""
    assert delivery.summary == "1 messages"
    return Message.objects.select_related("interaction__channel_user").get()


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"text": f"a{NUL}b"}, {"text": f"a{REPLACED}b"}),
        ({"name": f"She{NUL}ena"}, {"name": f"She{REPLACED}ena"}),
        ({"wa_id": f"1650{NUL}5551234"}, {"wa_id": f"1650{REPLACED}5551234"}),
        ({"wamid": f"wamid.{NUL}x"}, {"wamid": f"wamid.{REPLACED}x"}),
        ({"text": f"a{LONE_SURROGATE}b"}, {"text": f"a{REPLACED}b"}),
        ({"name": f"{LONE_SURROGATE}Sheena"}, {"name": f"{REPLACED}Sheena"}),
        ({"text": "a\U0001f600b"}, {"text": "a\U0001f600b"}),  # a surrogate pair is one character, kept
    ],
    ids=["nul in text", "nul in name", "nul in wa_id", "nul in wamid", "lone surrogate in text",
         "lone surrogate in name", "surrogate pair"],
)  # fmt: skip
def test_nul_and_lone_surrogates_are_replaced_and_the_message_kept(client, fields, expected):
    message = recorded(client, text_message(**fields))

    channel_user = message.interaction.channel_user
    shown = {"text": message.text, "name": channel_user.display_name, "wa_id": channel_user.external_id,
             "wamid": message.external_id}  # fmt: skip
    assert {key: shown[key] for key in expected} == expected


def test_a_raw_nul_byte_inside_a_string_is_replaced_and_the_message_kept(client):
    message = recorded(client, text_message(text="a-b").replace(b"a-b", b"a\x00b"))

    assert message.text == f"a{REPLACED}b"


@pytest.mark.parametrize(
    "quoted", [12345, ["wamid.a"], {"id": "wamid.a"}, True], ids=["number", "list", "object", "bool"]
)
def test_a_quote_naming_its_message_oddly_keeps_the_message_without_the_quote(client, quoted):
    document = json.loads(text_message(text="About that"))
    document["entry"][0]["changes"][0]["value"]["messages"][0]["context"] = {"from": "16505551234", "id": quoted}

    message = recorded(client, json.dumps(document).encode())

    assert (message.text, message.reply_to) == ("About that", None)


def test_an_over_long_profile_name_is_cut_with_a_mark(client):
    message = recorded(client, text_message(name="N" * 300))

    name = message.interaction.channel_user.display_name
    assert name == "N" * 254 + "…"


@pytest.mark.parametrize(("field", "length"), [("wa_id", 64), ("wamid", 255)])
def test_an_over_long_id_is_cut_with_a_mark_and_stays_distinct(client, field, length):
    first = recorded(client, text_message(**{field: "1" * 300}))
    Message.objects.all().delete()

    second = recorded(client, text_message(**{field: "1" * 299 + "2"}))

    ids = [
        message.external_id if field == "wamid" else message.interaction.channel_user.external_id
        for message in (first, second)
    ]
    assert all(len(stored) == length and "…" in stored for stored in ids)
    assert ids[0] != ids[1]  # two long ids sharing a beginning are never taken for one


@pytest.mark.parametrize("latitude", ["NaN", "Infinity", "-Infinity", "1e400", '"NaN"', '"Infinity"', '"north"'])
def test_a_location_with_unreadable_coordinates_is_kept_without_them(client, latitude):
    message = recorded(client, location_message(latitude))

    assert message.kind == "location"
    assert message.content == {"name": "Main Office", "address": "1 Hacker Way, Menlo Park, CA 94025",
                               "url": "https://www.facebook.com/"}  # fmt: skip
    assert message.text == "Location: Main Office (coordinates unreadable)"


DEEP = 50_000


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"object":"whatsapp_business_account","entry":' + b"[" * DEEP + b"]" * DEEP + b"}", "nested too deeply"),
        (text_message().replace(b"Hi", b"H\xff\xfe"), "utf-8"),
        (b"\x00not json", "Expecting value"),
    ],
    ids=["50k deep", "invalid utf-8", "not json"],
)
def test_a_delivery_that_cannot_be_read_stays_visible_with_its_reason_and_is_not_retried(client, body, reason):
    delivery = stored_and_processed(client, body)

    assert delivery.processed_at is not None
    assert delivery.attempts == 1
    assert delivery.summary.startswith("unreadable: ")
    assert reason in delivery.summary
    assert bytes(delivery.body) == body
    assert not Message.objects.exists()


def test_the_admin_shows_an_unreadable_delivery_with_its_raw_body(admin_client, client):
    body = b'{"object":"whatsapp_business_account","entry":\x00' + b"\xff]}"
    delivery = stored_and_processed(client, body)

    listing = admin_client.get("/admin/channels_whatsapp/webhookdelivery/?attention=unreadable")
    page = admin_client.get(f"/admin/channels_whatsapp/webhookdelivery/{delivery.pk}/change/")

    assert listing.status_code == 200 and f"/{delivery.pk}/change/" in listing.content.decode()
    assert page.status_code == 200
    content = page.content.decode()
    assert "unreadable: " in content
    assert "whatsapp_business_account&quot;,&quot;entry&quot;:\\x00\\xff]}" in content
    assert WebhookDelivery.objects.count() == 1


def test_a_file_described_with_over_long_values_keeps_its_message(client):
    document = meta_payload("document_message")
    described = document["entry"][0]["changes"][0]["value"]["messages"][0]["document"]
    described.update(mime_type="application/" + "x" * 200, sha256="f" * 200, id="9" * 300, filename="n" * 300 + ".pdf")

    message = recorded(client, json.dumps(document).encode())

    attachment = message.attachment
    assert (len(attachment.mime_type), len(attachment.sha256), len(attachment.external_id)) == (127, 128, 255)
    assert attachment.mime_type.endswith("…") and "…" in attachment.external_id
    assert len(attachment.filename) == 255


def test_the_admin_lists_each_delivery_that_needs_attention_under_its_reason(admin_client):
    rows = {
        "failing": WebhookDelivery.objects.create(body=b"{}", attempts=3, last_error="DataError(...)"),
        "abandoned": WebhookDelivery.objects.create(body=b"{}", attempts=MAX_PROCESSING_ATTEMPTS, last_error="x"),
        "refused": WebhookDelivery.objects.create(body=b"{}", refusals="IncomingMessage for business number …"),
        "unreadable": WebhookDelivery.objects.create(body=b"{", summary="unreadable: not JSON: …"),
    }

    for attention, delivery in rows.items():
        listing = admin_client.get(f"/admin/channels_whatsapp/webhookdelivery/?attention={attention}")
        assert listing.status_code == 200
        listed = {row.pk for row in listing.context["cl"].result_list}
        assert listed == {delivery.pk}, attention


def test_a_message_item_that_cannot_be_read_is_listed_on_its_delivery_beside_those_applied(client):
    document = meta_payload("text_message")
    messages = document["entry"][0]["changes"][0]["value"]["messages"]
    messages.insert(0, {key: value for key, value in messages[0].items() if key != "id"})

    delivery = stored_and_processed(client, json.dumps(document).encode())

    assert delivery.summary == "1 messages, 1 refused"
    assert "an item of messages.messages could not be read" in delivery.refusals and "'id'" in delivery.refusals
    assert Message.objects.count() == 1
