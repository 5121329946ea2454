"""Appending to and changing an interaction's timeline, with the revision clients catch up from."""

from django.db import transaction

from interactions.live import broadcast_on_commit, interaction_changed, message_changed
from interactions.models import Interaction, Message

PREVIEW_LENGTH = 140


def lock_interaction(interaction_id: int) -> Interaction:
    """Every timeline change locks its interaction first: one order, no deadlocks, gap-free revisions."""
    return Interaction.objects.select_for_update().select_related("channel_user").get(pk=interaction_id)


def append_message(*, interaction: Interaction, **fields) -> Message:
    """Adds a message at the end of a locked interaction's timeline. Raises IntegrityError on a duplicate.

    The insert runs in a savepoint so that a duplicate leaves the interaction's counters untouched.
    """
    with transaction.atomic():
        message = Message.objects.create(
            interaction=interaction,
            sequence=interaction.last_sequence + 1,
            revision=interaction.revision + 1,
            **fields,
        )
    interaction.last_sequence += 1
    interaction.revision += 1
    interaction.last_message_at = max(filter(None, [interaction.last_message_at, message.sent_at]))
    interaction.last_message_preview = {
        "direction": message.direction,
        "kind": message.kind,
        "text": message.text[:PREVIEW_LENGTH],
    }
    interaction.save(
        update_fields=[
            "last_sequence",
            "revision",
            "last_message_at",
            "last_message_preview",
            "unread_count",
            "state",
        ]
    )
    broadcast_on_commit(message_changed(message), interaction_changed(interaction))
    return message


def save_message_change(*, interaction: Interaction, message: Message, fields: list[str]) -> None:
    """Saves a change to a message of a locked interaction and gives it the next revision."""
    interaction.revision += 1
    interaction.save(update_fields=["revision"])
    message.revision = interaction.revision
    message.save(update_fields=[*fields, "revision"])
    broadcast_on_commit(message_changed(message), interaction_changed(interaction))
