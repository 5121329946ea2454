"""Internal notes: colleagues writing in a conversation's timeline what the customer must never see.

A note is a message of direction `internal`, so paging, catch-up by revision and the live push carry it like any
other; every path towards the customer reads only inbound or outbound rows (the outbox, the service window, read
receipts, the list's preview and unread count), so none can pick it up. A supervisor's whisper is a note addressed
to the conversation's agent.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from interactions.models import Direction, Interaction, Message, MessageKind, MessageStatus
from interactions.people import person_name
from interactions.roles import may_write_internal_notes
from interactions.services.outbound import ActionRefused, MessageRefused
from interactions.services.timeline import append_message, lock_interaction

NOTE_LIMIT = 4000  # characters: a note is read by colleagues, never held to a channel's limit


@transaction.atomic
def add_internal_note(
    *, interaction: Interaction, author: AbstractBaseUser, text: str, whisper_to: AbstractBaseUser | None = None
) -> Message:
    """Appends a note to the timeline (any state: a manager may annotate a closed conversation).

    `whisper_to`: the agent the conversation is assigned to, for a supervisor's whisper; the name is kept with the
    note, so the timeline shows whom it was for even after the conversation changes hands.
    """
    if not may_write_internal_notes(author):
        raise ActionRefused("Only agents and managers may write internal notes.")
    text = text.strip()
    if not text:
        raise MessageRefused("The note is empty.")
    if len(text) > NOTE_LIMIT:
        raise MessageRefused(f"The note is {len(text)} characters long; at most {NOTE_LIMIT} are allowed.")
    interaction = lock_interaction(interaction.pk)
    content = {}
    if whisper_to is not None:
        if interaction.assigned_to_id != whisper_to.pk:
            owner = person_name(interaction.assigned_to) or "nobody"
            raise ActionRefused(
                f"A whisper goes to the agent of the conversation; interaction {interaction.number} is "
                f"assigned to {owner}."
            )
        content = {"whisper_to": {"id": whisper_to.pk, "name": person_name(whisper_to)}}
    now = timezone.now()
    return append_message(
        interaction=interaction,
        direction=Direction.INTERNAL,
        kind=MessageKind.NOTE,
        text=text,
        content=content,
        author=author,
        status=MessageStatus.RECORDED,
        status_at=now,
        sent_at=now,
    )


def add_automated_note(*, interaction: Interaction, text: str, automated: str) -> Message:
    """A note the automated responder leaves for the agent who takes over (what it collected); the caller holds the
    interaction's lock."""
    now = timezone.now()
    return append_message(
        interaction=interaction,
        direction=Direction.INTERNAL,
        kind=MessageKind.NOTE,
        text=text.strip()[:NOTE_LIMIT],
        content={"automated": automated},
        status=MessageStatus.RECORDED,
        status_at=now,
        sent_at=now,
    )
