"""Media messages: files customers send (downloaded by a task, checked, kept) and files agents send."""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from interactions.channel_adapters import MediaUnavailable, channel_adapter, channel_capabilities
from interactions.events import InboundMedia
from interactions.media_policies import (
    SNIFF_BYTES,
    filename_for_type,
    inbound_media_refusal,
    media_download_retry_delay,
    outbound_media_decision,
)
from interactions.models import AttachmentState, Interaction, Message, MessageAttachment
from interactions.services.outbound import MessageRefused, queue_agent_message
from interactions.services.timeline import lock_interaction, save_message_change
from interactions.storable_text import column_length, fitted_identifier, fitted_text
from interactions.task_queue import enqueue_task

logger = logging.getLogger(__name__)

# Media kinds that take a caption; audio and stickers do not.
CAPTIONED_KINDS = ("image", "video", "document")


class MediaRefused(MessageRefused):
    """The file itself is the problem (type, size, contents), not the moment or the interaction."""


def _enqueue_download(attachment_id: int, countdown: float | None = None) -> None:
    from interactions.tasks import download_inbound_media

    enqueue_task(download_inbound_media, countdown=countdown, attachment_id=attachment_id)


def attach_inbound_media(*, interaction: Interaction, message: Message, media: InboundMedia) -> MessageAttachment:
    """Runs inside record_inbound_message: the file is fetched by a task once the message is committed.

    What the channel says of the file is fitted to our columns: a value too long would cost the message too.
    """
    attachment = MessageAttachment.objects.create(
        message=message,
        state=AttachmentState.UNAVAILABLE if media.error else AttachmentState.PENDING,
        mime_type=fitted_text(media.mime_type, max_length=column_length(MessageAttachment, "mime_type")),
        filename=fitted_text(media.filename, max_length=column_length(MessageAttachment, "filename")),
        sha256=fitted_text(media.sha256, max_length=column_length(MessageAttachment, "sha256")),
        external_id=fitted_identifier(media.external_id, max_length=column_length(MessageAttachment, "external_id")),
        failure_reason=media.error,
    )
    save_message_change(interaction=interaction, message=message, fields=[])
    if not media.error:
        transaction.on_commit(lambda: _enqueue_download(attachment.pk))
    return attachment


def store_inbound_media(*, attachment_id: int) -> timedelta | None:
    """Downloads, checks and keeps one received file. Returns when to try again, or None when settled.

    Safe to run twice, concurrently too: only a pending attachment is fetched, and the run that stores second
    finds it stored and throws its copy away.
    """
    with transaction.atomic():
        attachment = (
            MessageAttachment.objects.select_for_update(of=("self",))  # the joined rows come after it in the lock order
            .select_related("message__interaction__channel_user")
            .filter(pk=attachment_id, state=AttachmentState.PENDING)
            .first()
        )
        if attachment is None:
            return None
        attachment.download_attempts += 1
        attachment.save(update_fields=["download_attempts", "updated_at"])
    try:
        return _download_and_store(attachment)
    except Exception as problem:
        # Our side broke (storage down): retried like a network error, and in the end shown as unavailable,
        # never left pending.
        logger.exception("download of attachment %s failed unexpectedly", attachment_id)
        delay = media_download_retry_delay(attempt=attachment.download_attempts)
        if delay is not None:
            return timedelta(seconds=delay)
        _settle(
            attachment_id, state=AttachmentState.UNAVAILABLE, failure_reason=f"The file could not be kept: {problem}"
        )
        return None


def _download_and_store(attachment: MessageAttachment) -> timedelta | None:
    attachment_id = attachment.pk
    channel_user = attachment.message.interaction.channel_user
    max_bytes = settings.MEDIA_MAX_INBOUND_BYTES
    try:
        download = channel_adapter(channel_user.channel).download_media(
            account_id=channel_user.account_id, media_id=attachment.external_id, max_bytes=max_bytes
        )
    except MediaUnavailable as problem:
        delay = media_download_retry_delay(attempt=attachment.download_attempts) if problem.retryable else None
        if delay is not None:
            logger.info("download of attachment %s failed (%s); retrying", attachment_id, problem.reason)
            return timedelta(seconds=delay)
        _settle(attachment_id, state=AttachmentState.UNAVAILABLE, failure_reason=problem.reason)
        return None
    with download.file as file:
        head = file.read(SNIFF_BYTES)
        mime_type = download.mime_type or attachment.mime_type
        refusal = inbound_media_refusal(
            kind=attachment.message.kind, declared_type=mime_type, head=head, size=download.size, max_bytes=max_bytes
        )
        if refusal:
            _settle(attachment_id, state=AttachmentState.UNAVAILABLE, failure_reason=refusal)
            return None
        file.seek(0)
        filename = filename_for_type(attachment.filename, mime_type)
        name = default_storage.save(MessageAttachment.file.field.generate_filename(attachment, filename), File(file))
    kept = {"file": name, "mime_type": mime_type, "size": download.size}
    if attachment.filename:
        kept["filename"] = filename
    if not _settle(attachment_id, state=AttachmentState.STORED, **kept):
        default_storage.delete(name)
    return None


@transaction.atomic
def _settle(attachment_id: int, *, state: str, **fields) -> bool:
    """Records the outcome of a download on a still-pending attachment; False if another run settled it first."""
    message_id = MessageAttachment.objects.values_list("message__interaction_id", "message_id").get(pk=attachment_id)
    interaction = lock_interaction(message_id[0])
    attachment = MessageAttachment.objects.select_for_update().get(pk=attachment_id)
    if attachment.state != AttachmentState.PENDING:
        return False
    attachment.state = state
    for name, value in fields.items():
        setattr(attachment, name, value)
    attachment.save()
    if state == AttachmentState.UNAVAILABLE:
        logger.warning("attachment %s is unavailable: %s", attachment_id, attachment.failure_reason)
    message = Message.objects.select_related("author", "attachment").get(pk=message_id[1])
    save_message_change(interaction=interaction, message=message, fields=[])
    return True


def send_agent_media(
    *,
    interaction: Interaction,
    author: AbstractBaseUser,
    upload: UploadedFile,
    caption: str = "",
    reply_to_id: int | None = None,
) -> Message:
    """Checks the file against the channel's limits by what its bytes are, keeps it, and queues the message.

    The file is written to storage before the interaction is locked (a large upload to a remote storage must not
    hold up the customer's messages), and removed again if the message is refused after all.
    """
    caption = caption.strip()
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    channel = channel_capabilities(interaction.subtype)
    decision = outbound_media_decision(
        declared_type=upload.content_type or "",
        head=head,
        size=upload.size or 0,
        rules=channel_adapter(interaction.subtype).media_rules(),
        channel_label=channel.label,
    )
    if decision.refusal:
        raise MediaRefused(decision.refusal)
    if caption and decision.kind not in CAPTIONED_KINDS:
        raise MediaRefused(f"A {decision.kind} cannot carry a caption on {channel.label}; send the text separately.")
    if len(caption) > channel.caption_limit:
        raise MediaRefused(
            f"The caption is {len(caption)} characters long; at most {channel.caption_limit} are allowed."
        )
    filename = filename_for_type(upload.name or "", decision.mime_type)
    stored_name = default_storage.save(
        MessageAttachment.file.field.generate_filename(MessageAttachment(), filename), upload
    )
    try:
        with transaction.atomic():
            message = queue_agent_message(
                interaction=interaction, author=author, kind=decision.kind, text=caption, reply_to_id=reply_to_id
            )
            MessageAttachment.objects.create(
                message=message,
                state=AttachmentState.STORED,
                file=stored_name,
                mime_type=decision.mime_type,
                size=upload.size,
                filename=filename if decision.kind == "document" else "",
            )
            save_message_change(interaction=lock_interaction(interaction.pk), message=message, fields=[])
    except BaseException:
        default_storage.delete(stored_name)
        raise
    return message


@transaction.atomic
def record_channel_media_id(*, attachment_id: int, external_id: str) -> None:
    """The channel's id for a file we uploaded, so a retried delivery sends it again without re-uploading."""
    MessageAttachment.objects.filter(pk=attachment_id).update(
        external_id=external_id, external_id_at=timezone.now(), updated_at=timezone.now()
    )


def pending_media_needing_download(*, older_than: timedelta = timedelta(minutes=2)) -> list[int]:
    """Pending downloads whose task was lost (broker restart): not touched for a while."""
    return list(
        MessageAttachment.objects.filter(
            state=AttachmentState.PENDING, updated_at__lte=timezone.now() - older_than
        ).values_list("pk", flat=True)[:200]
    )


def enqueue_stuck_downloads() -> int:
    attachment_ids = pending_media_needing_download()
    for attachment_id in attachment_ids:
        _enqueue_download(attachment_id)
    return len(attachment_ids)
