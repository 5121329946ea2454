"""What the core removes under retention and on a customer's erasure; registered with `retention` at start-up.

A message's row stays (direction, kind, times, status, author, its place in the timeline) with `content_removed_at`
and the reason, so counts and reports still add up and the timeline shows a marker instead of an empty bubble. An
attachment's row stays with its type and size, marked `removed`. Changes go through the timeline's revisions, so an
open workspace catches up. Files are deleted only once the transaction that forgot them commits.
"""

import logging
from collections.abc import Collection, Iterable
from datetime import datetime

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from interactions.links import first_link, url_hash
from interactions.models import (
    AttachmentState,
    ContentRemoval,
    DeliveryStatusEvent,
    Direction,
    Interaction,
    LinkPreview,
    Message,
    MessageAttachment,
    MessageStatus,
    Notification,
)
from interactions.services.timeline import lock_channel_user, lock_interactions_of_messages, save_message_changes
from retention.registry import ErasureRequest, ErasureStep, RetentionSweep

logger = logging.getLogger(__name__)

# What stays of a message's content: who sent it (a responder's label) and whom a whisper was for; never the
# customer's words, places, contacts or reactions.
_CONTENT_KEPT = ("automated", "whisper_to")


def delete_files_on_commit(names: Iterable[str]) -> None:
    """After commit: a rollback must find its files still there. A file that cannot be deleted is logged by name
    (a path of our own, never the customer's file name) for an operator; its row already says it is gone."""
    names = [name for name in names if name]

    def delete() -> None:
        for name in names:
            try:
                default_storage.delete(name)
            except OSError:
                logger.exception("could not delete the removed file %s from storage", name)

    if names:
        transaction.on_commit(delete)


def _without_content(message: Message, *, reason: ContentRemoval, now: datetime) -> Message:
    message.text = ""
    message.original_text = ""
    message.content = {key: message.content[key] for key in _CONTENT_KEPT if key in message.content}
    message.content_removed_at = now
    message.content_removed_reason = reason
    return message


_CONTENT_FIELDS = ["text", "original_text", "content", "content_removed_at", "content_removed_reason"]


def _save_removals(messages: list[Message], interactions: dict[int, Interaction], *, fields: list[str]) -> None:
    save_message_changes([(interactions[message.interaction_id], message) for message in messages], fields=fields)


def _clear_previews(interactions: dict[int, Interaction], *, removed: Collection[int], reason: ContentRemoval) -> None:
    """The conversation list's preview repeats the last message's text: it goes with that message."""
    latest = Message.objects.filter(interaction=OuterRef("pk")).exclude(direction=Direction.INTERNAL)
    last_messages = Interaction.objects.filter(pk__in=list(interactions)).annotate(
        last_message_id=Subquery(latest.order_by("-sequence").values("pk")[:1])
    )
    for interaction_id, message_id in last_messages.values_list("pk", "last_message_id"):
        interaction = interactions[interaction_id]
        if message_id in removed and (interaction.last_message_preview or {}).get("text"):
            interaction.last_message_preview = {**interaction.last_message_preview, "text": "", "removed": reason}
            interaction.save(update_fields=["last_message_preview"])


def remove_message_bodies(*, cutoff: datetime, limit: int) -> int:
    """Text and content of messages stored before `cutoff`; a message still waiting to be sent is left alone."""
    candidates = Message.objects.filter(content_removed_at__isnull=True, created_at__lt=cutoff).exclude(
        status=MessageStatus.QUEUED
    )
    ids = list(candidates.order_by("created_at", "pk").values_list("pk", flat=True)[:limit])
    if not ids:
        return 0
    interactions = lock_interactions_of_messages(ids)
    messages = list(
        candidates.filter(pk__in=ids).select_for_update(of=("self",)).order_by("pk")
    )  # re-read under the locks: an edit or an erasure may have come first
    now = timezone.now()
    for message in messages:
        _without_content(message, reason=ContentRemoval.RETENTION, now=now)
    _clear_previews(interactions, removed={message.pk for message in messages}, reason=ContentRemoval.RETENTION)
    _save_removals(messages, interactions, fields=_CONTENT_FIELDS)
    return len(ids)  # those skipped under the lock were removed by someone else: the batch still counts as full


def remove_notification_contents(*, cutoff: datetime, limit: int) -> int:
    """What a workflow or an outside system asked to send (the text, with the customer's name) is a message body
    too: it goes with the message bodies' period. The row stays (who asked, why, to whom, what became of it), and
    its fingerprint still tells a late retry from a reused key."""
    ids = list(
        Notification.objects.filter(created_at__lt=cutoff)
        .exclude(content={})
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    Notification.objects.filter(pk__in=ids).update(content={})
    return len(ids)


def _remove_attachments(attachments: list[MessageAttachment]) -> None:
    names = [attachment.file.name for attachment in attachments]
    MessageAttachment.objects.filter(pk__in=[attachment.pk for attachment in attachments]).update(
        state=AttachmentState.REMOVED,
        file="",
        filename="",
        sha256="",
        external_id="",
        failure_reason="",
        updated_at=timezone.now(),
    )
    delete_files_on_commit(names)


def remove_media(*, cutoff: datetime, limit: int) -> int:
    """Files of attachments stored before `cutoff` (a download still pending is the media sweep's, not ours)."""
    candidates = (
        MessageAttachment.objects.filter(created_at__lt=cutoff)
        .exclude(state__in=[AttachmentState.REMOVED, AttachmentState.PENDING])
        .exclude(message__status=MessageStatus.QUEUED)  # still to be uploaded and sent
    )
    found = list(candidates.order_by("created_at", "pk").values_list("pk", "message_id")[:limit])
    if not found:
        return 0
    message_ids = [message_id for _, message_id in found]
    interactions = lock_interactions_of_messages(message_ids)
    messages = list(Message.objects.select_for_update(of=("self",)).filter(pk__in=message_ids).order_by("pk"))
    attachments = list(candidates.select_for_update(of=("self",)).filter(pk__in=[pk for pk, _ in found]).order_by("pk"))
    _remove_attachments(attachments)
    changed = {attachment.message_id for attachment in attachments}
    _save_removals([message for message in messages if message.pk in changed], interactions, fields=[])
    return len(found)


def remove_status_events(*, cutoff: datetime, limit: int) -> int:
    """The channel's status reports: the message keeps its latest status and time; the reports themselves go."""
    ids = list(
        DeliveryStatusEvent.objects.filter(received_at__lt=cutoff)
        .order_by("received_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    DeliveryStatusEvent.objects.filter(pk__in=ids).delete()
    return len(ids)


def erase_customer_conversations(request: ErasureRequest) -> dict[str, int]:
    """Their profile, every message body and file of their conversations (notes included: they are about them),
    the link previews of their links, and what was asked to be sent to them. A message still waiting to be sent
    is left to be sent or to fail; an erasure run again later takes it."""
    channel_user = lock_channel_user(request.channel_user_id)
    interactions = {
        interaction.pk: interaction
        for interaction in Interaction.objects.select_for_update(of=("self",))
        .filter(channel_user=channel_user)
        .order_by("pk")
    }
    messages = list(
        Message.objects.select_for_update(of=("self",)).filter(interaction_id__in=list(interactions)).order_by("pk")
    )
    attachments = list(
        MessageAttachment.objects.select_for_update(of=("self",))
        .filter(message__in=messages)
        .exclude(state=AttachmentState.REMOVED)
        .exclude(message__status=MessageStatus.QUEUED)
    )
    links = {first_link(message.text) for message in messages} - {None}
    previews = list(LinkPreview.objects.filter(url_hash__in=[url_hash(link) for link in links]))
    delete_files_on_commit(preview.image.name for preview in previews)
    LinkPreview.objects.filter(pk__in=[preview.pk for preview in previews]).delete()

    _remove_attachments(attachments)
    erased = [
        _without_content(message, reason=ContentRemoval.ERASURE, now=request.erased_at)
        for message in messages
        if message.content_removed_at is None and message.status != MessageStatus.QUEUED
    ]
    touched = {message.pk for message in erased} | {attachment.message_id for attachment in attachments}
    changed = [message for message in messages if message.pk in touched]
    _clear_previews(interactions, removed={message.pk for message in messages}, reason=ContentRemoval.ERASURE)
    _save_removals(changed, interactions, fields=_CONTENT_FIELDS)

    profile_fields = ["display_name", "attributes", "language"]
    profile_held = bool(channel_user.display_name or channel_user.attributes or channel_user.language)
    channel_user.display_name, channel_user.attributes, channel_user.language = "", {}, ""
    channel_user.save(update_fields=profile_fields)
    notifications = Notification.objects.filter(channel_user=channel_user).exclude(content={}).update(content={})
    return {
        "message_bodies": len(erased),
        "media_files": len(attachments),
        "link_previews": len(previews),
        "profile": int(profile_held),
        "notifications": notifications,
    }


ERASURE_STEP = ErasureStep(
    name="conversations",
    removes=(
        "the text and content of every message in their conversations, both directions and internal notes "
        "(locations, shared contacts, reactions, captions, edits' original text)",
        "every photo, video, audio and document file of those messages",
        "the link previews of the addresses they or we linked to",
        "their name, language and attributes",
        "the content of notifications the desk sent them",
    ),
    keeps=(
        "each conversation and each message row: direction, kind, times, status, agent, queue, closing reason, "
        "marked as removed at the customer's request, so counts and reports still add up",
        "their number (channel address): the key that tells a later message of theirs apart and that a later "
        "opt-out is recorded against",
        "a message still waiting to be sent (it is sent or fails; erase again afterwards)",
    ),
    erase=erase_customer_conversations,
)

RETENTION_SWEEPS = (
    RetentionSweep(name="message_bodies", period="message_bodies", remove_batch=remove_message_bodies),
    RetentionSweep(name="notification_contents", period="message_bodies", remove_batch=remove_notification_contents),
    RetentionSweep(name="media_files", period="media", remove_batch=remove_media),
    RetentionSweep(name="status_events", period="status_events", remove_batch=remove_status_events),
)
