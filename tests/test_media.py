"""Media both ways on real parts: phone → emulator → webhook → worker downloads and keeps the file → workspace;
agent → API → outbox → worker uploads to the Graph API → send by media id → phone."""

import pytest
import requests
from django.test import Client
from rest_framework.authtoken.models import Token

from conftest import LiveSystem, wait_until
from interactions.events import InboundMedia
from interactions.models import AttachmentState, Message, MessageAttachment
from interactions.services.inbound import record_inbound_message
from interactions.tests.core_events import inbound_message
from tests.factories import UserFactory, agent, agent_holding, manager
from tests.media_samples import SAMPLES, sample

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CUSTOMER = "16505551234"
CAPTIONED = ("image", "video", "document")


def settled_attachment(wamid: str) -> MessageAttachment:
    def settled():
        return MessageAttachment.objects.filter(message__external_id=wamid).exclude(state="pending").first()

    return wait_until(settled, timeout=20, message=f"the file of {wamid}")


def customer_sends(system: LiveSystem, kind: str, **extra) -> str:
    name, mime_type = SAMPLES[kind]
    caption = f"A {kind} for you" if kind in CAPTIONED else None
    return system.emulator.customer_sends_media(
        CUSTOMER, kind, sample(name), mime_type, filename=name, caption=caption, name="Sheena Nelson", **extra
    )


def send_file(system: LiveSystem, user, message: Message, content: bytes, mime_type: str, name: str, caption=""):
    token = Token.objects.get_or_create(user=user)[0].key
    return requests.post(
        f"{system.web_url}/api/v1/interactions/{message.interaction_id}/attachments/",
        headers={"Authorization": f"Token {token}"},
        files={"file": (name, content, mime_type)},
        data={"caption": caption},
        timeout=10,
    )


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_a_file_the_customer_sends_is_downloaded_checked_and_kept_with_its_caption(live_system, kind):
    name, mime_type = SAMPLES[kind]

    wamid = customer_sends(live_system, kind, voice=kind == "audio")

    attachment = settled_attachment(wamid)
    message = attachment.message
    assert attachment.state == AttachmentState.STORED, attachment.failure_reason
    assert message.kind == kind
    assert message.text == (f"A {kind} for you" if kind in CAPTIONED else "")
    assert (attachment.mime_type, attachment.size) == (mime_type, len(sample(name)))
    assert attachment.file.read() == sample(name)
    assert attachment.filename == (name if kind == "document" else "")
    assert message.content == ({"voice": True} if kind == "audio" else {})


def test_received_media_is_served_only_to_people_who_may_see_the_interaction(live_system):
    attachment = settled_attachment(customer_sends(live_system, "image"))
    url = f"/media/messages/{attachment.message_id}/"
    signed_in, stranger, other_agent, anonymous = Client(), Client(), Client(), Client()
    signed_in.force_login(manager())
    stranger.force_login(UserFactory())  # signed in, but neither agent nor manager
    other_agent.force_login(agent())  # an agent, but not the one who holds the conversation

    response = signed_in.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == sample("photo.jpg")
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert stranger.get(url).status_code == 404
    assert other_agent.get(url).status_code == 404
    assert anonymous.get(url).status_code == 302  # to the sign-in page, never the file


def test_a_document_is_served_as_a_download_with_its_name(live_system):
    attachment = settled_attachment(customer_sends(live_system, "document"))
    client = Client()
    client.force_login(agent_holding(attachment.message.interaction))

    response = client.get(f"/media/messages/{attachment.message_id}/")

    assert response["Content-Disposition"] == 'attachment; filename="invoice.pdf"'


def test_a_failed_download_is_retried_until_it_succeeds(live_system):
    live_system.emulator.set_faults(fail_next_media_downloads=1)

    attachment = settled_attachment(customer_sends(live_system, "image"))

    assert attachment.state == AttachmentState.STORED
    assert attachment.download_attempts == 2


def test_a_file_whatsapp_no_longer_has_is_shown_unavailable_with_the_reason_and_the_caption_kept(live_system):
    event = inbound_message(
        kind="image",
        text="Look at the scratch",
        media=InboundMedia(external_id="4242424242424242", mime_type="image/jpeg"),
    )

    record_inbound_message(event=event)

    attachment = settled_attachment(event.external_id)
    assert attachment.state == AttachmentState.UNAVAILABLE
    assert "no longer has this file" in attachment.failure_reason
    assert attachment.download_attempts == 1  # a missing file is not asked for again
    assert attachment.message.text == "Look at the scratch"


def test_a_file_too_large_for_whatsapp_arrives_as_a_message_saying_so(live_system):
    live_system.emulator.set_faults(media_too_big_next=1)

    attachment = settled_attachment(customer_sends(live_system, "video"))

    assert attachment.state == AttachmentState.UNAVAILABLE
    assert attachment.failure_reason.startswith("Media download error: Media file size too big")
    assert attachment.message.text == "A video for you"


def test_a_file_whose_bytes_are_not_what_meta_says_is_not_kept(live_system):
    # A document the emulator holds, announced as an image (the emulator itself would never mislabel one).
    wamid = live_system.emulator.customer_sends_media(CUSTOMER, "document", sample("invoice.pdf"), "application/pdf")
    document = settled_attachment(wamid)
    event = inbound_message(kind="image", media=InboundMedia(external_id=document.external_id, mime_type="image/jpeg"))

    record_inbound_message(event=event)

    attachment = settled_attachment(event.external_id)
    assert attachment.state == AttachmentState.UNAVAILABLE
    assert attachment.failure_reason == "A image was announced, but the file is application/pdf."


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_a_file_the_agent_attaches_is_uploaded_and_reaches_the_phone_by_media_id(live_system, kind):
    inbound = Message.objects.get(external_id=customer_sends_text(live_system))
    name, mime_type = SAMPLES[kind]
    caption = "Here you go" if kind in CAPTIONED else ""

    response = send_file(
        live_system, agent_holding(inbound.interaction), inbound, sample(name), mime_type, name, caption
    )

    assert response.status_code == 201, response.text
    assert response.json()["kind"] == kind
    sent = live_system.emulator.wait_for_sent_message(to=CUSTOMER)
    assert sent["type"] == kind
    assert live_system.emulator.media_content(sent[kind]["id"]) == sample(name)
    assert sent[kind].get("caption") == (caption or None)
    assert sent[kind].get("filename") == (name if kind == "document" else None)
    outbound = Message.objects.get(pk=response.json()["id"])
    wait_until(lambda: Message.objects.get(pk=outbound.pk).status in ("delivered", "read"), message="delivered")
    assert outbound.attachment.external_id == sent[kind]["id"]


def customer_sends_text(system: LiveSystem) -> str:
    wamid = system.emulator.customer_sends(CUSTOMER, "Can you send me the manual?", name="Sheena Nelson")
    wait_until(lambda: Message.objects.filter(external_id=wamid).exists(), message="the customer's message")
    return wamid


@pytest.mark.parametrize(
    ("content", "mime_type", "name", "reason"),
    [
        (b"MZ\x90\x00" + b"\x00" * 100, "application/x-msdownload", "setup.exe", "cannot be sent on WhatsApp"),
        (b"<html><script>alert(1)</script>", "image/jpeg", "photo.jpg", "says it is image/jpeg, but its contents"),
        (
            sample("photo.png")[:64] + b"\x00" * (6 * 1024 * 1024),
            "image/png",
            "huge.png",
            "largest image sent on WhatsApp is 5 MB",
        ),
        (
            sample("sticker.webp")[:64] + b"\x00" * (150 * 1024),
            "image/webp",
            "big.webp",
            "largest static sticker sent on WhatsApp is 100 KB",
        ),
    ],
)
def test_a_file_whatsapp_would_refuse_is_refused_at_once_with_the_reason(live_system, content, mime_type, name, reason):
    inbound = Message.objects.get(external_id=customer_sends_text(live_system))

    response = send_file(live_system, agent_holding(inbound.interaction), inbound, content, mime_type, name)

    assert response.status_code == 400
    assert reason in response.json()["detail"]
    assert not Message.objects.filter(direction="outbound").exists()


def test_a_caption_on_a_voice_note_is_refused(live_system):
    inbound = Message.objects.get(external_id=customer_sends_text(live_system))

    response = send_file(
        live_system,
        agent_holding(inbound.interaction),
        inbound,
        sample("voice.m4a"),
        "audio/mp4",
        "voice.m4a",
        "Listen",
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "A audio cannot carry a caption on WhatsApp; send the text separately."
