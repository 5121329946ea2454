"""What a file is by its bytes, and whether WhatsApp takes it: the decisions at their edges."""

import pytest

from channels_whatsapp.media import WHATSAPP_MEDIA_RULES
from interactions.media_policies import (
    inbound_media_refusal,
    media_download_retry_delay,
    outbound_media_decision,
    served_type,
    sniff_media_type,
)
from tests.media_samples import sample

KB = 1024
ANIMATED_WEBP_HEAD = b"RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x02" + b"\x00" * 40


def decide(head: bytes, declared: str, size: int):
    return outbound_media_decision(
        declared_type=declared, head=head, size=size, rules=WHATSAPP_MEDIA_RULES, channel_label="WhatsApp"
    )


@pytest.mark.parametrize(
    ("name", "declared", "kind", "mime_type"),
    [
        ("photo.jpg", "image/jpeg", "image", "image/jpeg"),
        ("photo.png", "", "image", "image/png"),  # no type from the browser: the bytes say
        ("photo.jpg", "application/octet-stream", "image", "image/jpeg"),
        ("sticker.webp", "image/webp", "sticker", "image/webp"),
        ("video.mp4", "video/mp4", "video", "video/mp4"),
        ("voice.m4a", "audio/x-m4a", "audio", "audio/mp4"),  # same container as a video; the declared type decides
        ("invoice.pdf", "application/pdf", "document", "application/pdf"),
    ],
)
def test_the_kind_follows_from_what_the_file_really_is(name, declared, kind, mime_type):
    content = sample(name)

    decision = decide(content[:64], declared, len(content))

    assert (decision.kind, decision.mime_type, decision.refusal) == (kind, mime_type, "")


@pytest.mark.parametrize(("size", "refused"), [(5 * KB * KB, False), (5 * KB * KB + 1, True)])
def test_an_image_may_be_5_mb_and_not_a_byte_more(size, refused):
    assert bool(decide(sample("photo.png")[:64], "image/png", size).refusal) is refused


def test_an_animated_sticker_may_be_larger_than_a_static_one():
    static = sample("sticker.webp")[:64]

    assert decide(static, "image/webp", 100 * KB).refusal == ""
    assert "the largest static sticker sent on WhatsApp is 100 KB" in decide(static, "image/webp", 100 * KB + 1).refusal
    assert decide(ANIMATED_WEBP_HEAD, "image/webp", 500 * KB).refusal == ""
    assert "is 500 KB" in decide(ANIMATED_WEBP_HEAD, "image/webp", 500 * KB + 1).refusal


def test_a_gif_is_not_a_whatsapp_image():
    assert "cannot be sent on WhatsApp" in decide(b"GIF89a" + b"\x00" * 20, "image/gif", 1000).refusal


def test_a_received_image_that_is_really_a_web_page_is_not_kept():
    refusal = inbound_media_refusal(
        kind="image", declared_type="image/png", head=b"<html><script>", size=100, max_bytes=10**8
    )

    assert refusal == "The file says it is image/png, but its contents are not."


def test_a_received_document_of_a_type_we_do_not_know_is_kept_but_only_ever_downloaded():
    assert (
        inbound_media_refusal(kind="document", declared_type="application/zip", head=b"PK", size=9, max_bytes=99) == ""
    )
    assert served_type("application/zip") == ("application/octet-stream", False)
    assert served_type("application/pdf") == ("application/pdf", False)
    assert served_type("image/jpeg") == ("image/jpeg", True)


def test_unknown_bytes_have_no_type():
    assert sniff_media_type(b"\x00\x01\x02") is None


@pytest.mark.parametrize(("attempt", "delay"), [(1, 2.0), (2, 4.0), (4, 16.0), (5, None)])
def test_a_failed_download_is_retried_four_times_with_growing_waits(attempt, delay):
    assert media_download_retry_delay(attempt=attempt) == delay
