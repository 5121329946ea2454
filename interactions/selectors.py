"""Reads for the workspace and the API, with their joins and permissions applied once."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from interactions.models import OPEN_STATES, Interaction, Message
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
        .select_related("author", "reply_to__author", "interaction")
        .order_by("sequence")
    )
