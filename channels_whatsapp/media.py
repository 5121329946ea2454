"""Media on the Cloud API: WhatsApp's limits per kind, downloading what customers send, uploading what agents send.

Inbound: `GET /{media-id}` gives a URL that expires after 5 minutes and needs the bearer token; a 404 on it means
"ask for a fresh URL", which we do once. Outbound: `POST /{phone-number-id}/media` (multipart) gives an id that
stays valid for 30 days; the message is then sent by that id, never by link.
"""

from datetime import timedelta

from django.utils import timezone

from channels_whatsapp.client import GraphApiClient, GraphApiError, GraphApiUnreachable, MediaTooLarge
from channels_whatsapp.errors import failure_kind_for, title_for
from channels_whatsapp.models import BusinessNumber
from interactions.channel_adapters import DownloadedMedia, FailureKind, MediaUnavailable
from interactions.media_policies import MediaRule, human_size
from interactions.models import Message
from interactions.services.media import CAPTIONED_KINDS, record_channel_media_id

MB = 1024 * 1024
# M:business-phone-numbers/media, "Supported media types". WebP goes only as a sticker.
WHATSAPP_MEDIA_RULES = (
    MediaRule(kind="image", mime_types=frozenset({"image/jpeg", "image/png"}), max_bytes=5 * MB, formats="JPEG, PNG"),
    MediaRule(kind="video", mime_types=frozenset({"video/mp4", "video/3gpp"}), max_bytes=16 * MB, formats="MP4, 3GPP"),
    MediaRule(
        kind="audio",
        mime_types=frozenset({"audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"}),
        max_bytes=16 * MB,
        formats="AAC, AMR, MP3, M4A, OGG (Opus)",
    ),
    MediaRule(
        kind="document",
        mime_types=frozenset(
            {
                "text/plain",
                "application/pdf",
                "application/msword",
                "application/vnd.ms-excel",
                "application/vnd.ms-powerpoint",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            }
        ),
        max_bytes=100 * MB,
        formats="PDF, TXT, Word, Excel, PowerPoint",
    ),
    MediaRule(
        kind="sticker",
        mime_types=frozenset({"image/webp"}),
        max_bytes=500 * 1024,
        max_static_bytes=100 * 1024,
        formats="WebP",
    ),
)
MEDIA_TYPES = tuple(rule.kind for rule in WHATSAPP_MEDIA_RULES)
# An uploaded media id lives 30 days; past this we upload again rather than send an id Meta may have dropped.
UPLOADED_MEDIA_REUSE = timedelta(days=29)


def download_inbound_media(*, client: GraphApiClient, media_id: str, max_bytes: int) -> DownloadedMedia:
    """Raises MediaUnavailable, retryable when Meta or the network failed, permanent when the file is gone."""
    for attempt in (1, 2):
        try:
            info = client.media_info(media_id=media_id)
            if info.file_size is not None and info.file_size > max_bytes:
                raise MediaUnavailable(
                    f"The file is {human_size(info.file_size)}, over the {human_size(max_bytes)} we keep.",
                    retryable=False,
                )
            file, size, content_type = client.download_media(url=info.url, max_bytes=max_bytes)
        except MediaTooLarge:
            raise MediaUnavailable(f"The file is over the {human_size(max_bytes)} we keep.", retryable=False) from None
        except GraphApiUnreachable as problem:
            raise MediaUnavailable(f"WhatsApp could not be reached ({problem}).", retryable=True) from problem
        except GraphApiError as error:
            if error.http_status == 404 and error.code is None and attempt == 1:
                continue  # the URL expired between the two calls: Meta says to ask for a fresh one
            # A download is safe to repeat, so an answer of unknown outcome is worth another try too.
            retryable = failure_kind_for(error.code, http_status=error.http_status) is not FailureKind.PERMANENT
            title = title_for(error.code, error.message)
            detail = f": {error.details}" if error.details else ""
            if error.code == 100:
                title = "WhatsApp no longer has this file (media ids of received files expire after 7 days)"
            raise MediaUnavailable(f"{title}{detail}", retryable=retryable) from error
        return DownloadedMedia(file=file, size=size, mime_type=info.mime_type or content_type)
    raise MediaUnavailable("The download link kept expiring.", retryable=True)


def uploaded_media_id(*, client: GraphApiClient, number: BusinessNumber, message: Message) -> str:
    """The media id to send the message's file by, uploading it first unless a recent upload can be reused."""
    attachment = message.attachment
    if (
        attachment.external_id
        and attachment.external_id_at
        and (timezone.now() - attachment.external_id_at < UPLOADED_MEDIA_REUSE)
    ):
        return attachment.external_id
    with attachment.file.open("rb") as file:
        media_id = client.upload_media(
            phone_number_id=number.phone_number_id,
            file=file,
            mime_type=attachment.mime_type,
            filename=attachment.filename or attachment.file.name.rsplit("/", 1)[-1],
        )
    record_channel_media_id(attachment_id=attachment.pk, external_id=media_id)
    return media_id


def media_object(message: Message, *, media_id: str) -> dict:
    """The `image` / `video` / `audio` / `document` / `sticker` object of a send: by id, caption and filename."""
    media: dict = {"id": media_id}
    if message.text and message.kind in CAPTIONED_KINDS:
        media["caption"] = message.text
    if message.kind == "document" and message.attachment.filename:
        media["filename"] = message.attachment.filename
    return media
