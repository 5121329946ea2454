"""Conversations with every shape a timeline shows, written straight to the database, and an API client to read
them as a user would, without the sign-in in the queries counted."""

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from interactions.links import url_hash
from interactions.models import (
    AttachmentState,
    Direction,
    Interaction,
    LinkPreview,
    LinkPreviewState,
    Message,
    MessageAttachment,
    MessageKind,
    MessageStatus,
)
from tests.factories import InteractionFactory, agent


def conversation(size: int, *, agents: tuple = (), assigned_to=None) -> Interaction:
    """`size` messages of every shape the timeline shows, each with what the serializer reads: links with their
    previews, files, quotes, reactions from both sides and two different agents as authors."""
    first, second = agents or (agent(), agent())
    interaction = InteractionFactory(assigned_to=assigned_to)
    start = timezone.now() - timedelta(hours=2)
    rows: list[Message] = []

    def add(**fields) -> Message:
        sequence = len(rows) + 1
        message = Message.objects.create(
            interaction=interaction,
            sequence=sequence,
            revision=sequence,
            sent_at=start + timedelta(seconds=sequence),
            **fields,
        )
        rows.append(message)
        return message

    for number in range(size):
        shape = number % 5
        if shape == 0:
            url = f"https://shop.example/{interaction.pk}/items/{number}"
            add(direction=Direction.INBOUND, status=MessageStatus.RECEIVED, text=f"Is this one in stock? {url}")
            LinkPreview.objects.create(
                url=url,
                url_hash=url_hash(url),
                state=LinkPreviewState.READY,
                title=f"Item {number}",
            )
        elif shape == 1:
            quoted = rows[-1]
            reply = add(
                direction=Direction.OUTBOUND, status=MessageStatus.READ, author=first, text="Yes.", reply_to=quoted
            )
            for target in (quoted, reply):
                add(
                    direction=Direction.INBOUND,
                    status=MessageStatus.RECEIVED,
                    kind=MessageKind.REACTION,
                    content={"emoji": "👍"},
                    reply_to=target,
                )
                add(
                    direction=Direction.OUTBOUND,
                    status=MessageStatus.SENT,
                    kind=MessageKind.REACTION,
                    content={"emoji": "❤️"},
                    reply_to=target,
                    author=second,
                )
        elif shape in (2, 3):
            inbound = shape == 2
            message = add(
                direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
                status=MessageStatus.RECEIVED if inbound else MessageStatus.FAILED,
                kind=MessageKind.IMAGE if inbound else MessageKind.DOCUMENT,
                text="A photo" if inbound else "The invoice",
                author=None if inbound else second,
                error_code="" if inbound else "130429",
            )
            MessageAttachment.objects.create(
                message=message,
                state=AttachmentState.STORED,
                file=f"messageattachment/{number}.bin",
                mime_type="image/jpeg" if inbound else "application/pdf",
                size=1024,
            )
        else:
            add(
                direction=Direction.INBOUND,
                status=MessageStatus.RECEIVED,
                text="Thanks!",
                reply_to=next(row for row in reversed(rows) if row.direction == Direction.OUTBOUND),
            )
    Interaction.objects.filter(pk=interaction.pk).update(
        last_sequence=len(rows), revision=len(rows), last_message_at=rows[-1].sent_at
    )
    return interaction


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
