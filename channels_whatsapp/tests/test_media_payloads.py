"""Media messages on Meta's example payloads: parsed, then translated into core messages with their files named."""

import pytest

from channels_whatsapp import translate
from channels_whatsapp.payloads import IncomingMessage, parse_notification
from channels_whatsapp.tests.meta_fixtures import meta_payload
from interactions.events import InboundMedia
from interactions.models import MessageKind


def only_message(name: str) -> IncomingMessage:
    (event,) = parse_notification(meta_payload(name))
    assert isinstance(event, IncomingMessage)
    return event


@pytest.mark.parametrize(
    ("fixture", "kind", "text", "media"),
    [
        (
            "image_message",
            MessageKind.IMAGE,
            "Is this the right part?",
            InboundMedia(
                external_id="1003383421387256",
                mime_type="image/jpeg",
                sha256="SfInY0gT2qFpMlOq1ZkPnTaNQjG4ZUy5eHCuOK1KXoM=",
            ),
        ),
        (
            "video_message",
            MessageKind.VIDEO,
            "It wobbles like this",
            InboundMedia(
                external_id="1166846181421424",
                mime_type="video/mp4",
                sha256="fd9d6dbf0ebc8e8b4b6d3a8b5c1b7a7b9f2a1e3c4d5e6f708192a3b4c5d6e7f8",
            ),
        ),
        (
            "audio_voice_message",
            MessageKind.AUDIO,
            "",
            InboundMedia(
                external_id="1003383421387257",
                mime_type="audio/ogg; codecs=opus",
                sha256="Gb2Qe7Ts0vTv5v1O2g+6ZVhVh1Ck9PSu0bN4Z0Dl1I8=",
            ),
        ),
        (
            "document_message",
            MessageKind.DOCUMENT,
            "Here is the invoice",
            InboundMedia(
                external_id="1003383421387258",
                mime_type="application/pdf",
                sha256="b2NkZWFiY2RlZmFiY2RlZmFiY2RlZmFiY2RlZmFiY2Q=",
                filename="invoice-1042.pdf",
            ),
        ),
        (
            "sticker_message",
            MessageKind.STICKER,
            "",
            InboundMedia(
                external_id="1003383421387259",
                mime_type="image/webp",
                sha256="8rAHdxQJvJsyOQhhmb7ERvbsbEPtclYp3uFRSrRgrsE=",
            ),
        ),
    ],
)
def test_each_media_kind_becomes_a_core_message_with_its_caption_and_its_file_named(fixture, kind, text, media):
    inbound = translate.inbound_message(only_message(fixture))

    assert (inbound.kind, inbound.text, inbound.media) == (kind, text, media)


def test_the_parser_keeps_the_media_object_under_the_messages_own_type():
    message = only_message("document_message")

    assert message.type == "document"
    assert message.body["filename"] == "invoice-1042.pdf"
    assert message.text == ""  # only text messages have a body; the caption is the translation's to take


def test_a_voice_note_is_marked_as_one():
    assert translate.inbound_message(only_message("audio_voice_message")).content == {"voice": True}


def test_a_file_meta_could_not_take_is_kept_as_a_message_with_the_reason_and_no_file():
    message = only_message("media_too_large_131052")
    inbound = translate.inbound_message(message)

    assert message.errors[0].code == 131052
    assert inbound.kind == MessageKind.VIDEO
    assert inbound.media == InboundMedia(
        external_id="",
        mime_type="video/mp4",
        error="Media download error: Media file size too big. Max file size we currently support: 100MB.",
    )


def test_a_media_message_without_a_media_id_is_unavailable_rather_than_fetched():
    document = meta_payload("image_message")
    del document["entry"][0]["changes"][0]["value"]["messages"][0]["image"]["id"]
    (event,) = parse_notification(document)

    assert translate.inbound_message(event).media.error == "WhatsApp delivered the message without its file."
