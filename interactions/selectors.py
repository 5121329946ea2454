"""Reads for the workspace and the API, with their joins and permissions applied once."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from interactions.models import (
    OPEN_STATES,
    AttachmentState,
    Interaction,
    LinkPreview,
    LinkPreviewState,
    Message,
    MessageAttachment,
)
from interactions.roles import may_view_interactions


def interactions_visible_to(user: AbstractBaseUser) -> QuerySet[Interaction]:
    if not may_view_interactions(user):
        return Interaction.objects.none()
    return Interaction.objects.select_related("channel_user", "assigned_to")


def open_interactions_for(user: AbstractBaseUser) -> QuerySet[Interaction]:
    return interactions_visible_to(user).filter(state__in=OPEN_STATES)


def messages_changed_after(*, interaction: Interaction, revision: int) -> QuerySet[Message]:
    """The catch-up read: every message created or changed since the client's cursor."""
    return (
        interaction.messages.filter(revision__gt=revision)
        .select_related("author", "reply_to__author", "interaction", "attachment")
        .order_by("sequence")
    )


def attachment_visible_to(user: AbstractBaseUser, *, message_id: int) -> MessageAttachment | None:
    """A stored file, only for someone who may see the interaction its message belongs to."""
    return (
        MessageAttachment.objects.filter(
            message_id=message_id,
            message__interaction__in=interactions_visible_to(user),
            state=AttachmentState.STORED,
        )
        .exclude(file="")
        .first()
    )


def link_preview_visible_to(user: AbstractBaseUser, *, preview_id: int) -> LinkPreview | None:
    if not may_view_interactions(user):
        return None
    return LinkPreview.objects.filter(pk=preview_id, state=LinkPreviewState.READY).exclude(image="").first()
