"""One conversation as a transcript: each message with who wrote it, what it holds and what became of it, read in
a fixed number of queries whatever its length. The record page and the HTML export both read it."""

from dataclasses import dataclass

from django.db.models import QuerySet

from interactions.models import AttachmentState, Direction, Interaction, Message, MessageAttachment, MessageKind
from interactions.people import person_name
from interactions.responders import automated_author_label
from interactions.rich_content import summary

MEDIA_KINDS = {
    MessageKind.IMAGE: "image",
    MessageKind.STICKER: "image",
    MessageKind.VIDEO: "video",
    MessageKind.AUDIO: "audio",
    MessageKind.DOCUMENT: "document",
}
# Outbound statuses in the order a message goes through them: the ticks a reader expects.
TICKS = {"queued": "…", "sent": "✓", "delivered": "✓✓", "read": "✓✓", "failed": "!"}


@dataclass(frozen=True, slots=True)
class TranscriptEntry:
    message: Message
    side: str  # "customer", "business" or "note" (an internal note or a whisper, never sent)
    author: str
    media: str  # "image", "video", "audio", "document" or "" (no file)
    attachment: MessageAttachment | None
    summary: str  # a rich message in one line: a location, a contact, an answer, an order
    whisper_to: str  # the agent a supervisor's whisper was for, or ""
    tick: str  # outbound only: the status mark

    @property
    def file_ready(self) -> bool:
        return (
            self.attachment is not None
            and self.attachment.state == AttachmentState.STORED
            and bool(self.attachment.file)
        )

    @property
    def kind_label(self) -> str:
        return _kind_label(self.message.kind)

    @property
    def quote(self) -> str:
        """What a reply refers to, in a few words: its text, or what it was (a photo)."""
        quoted = self.message.reply_to
        return (quoted.text or _kind_label(quoted.kind)) if quoted is not None else ""

    @property
    def failed(self) -> bool:
        return self.message.status == "failed"


def _kind_label(kind: str) -> str:
    return MessageKind(kind).label if kind in MessageKind.values else kind


def transcript_messages(interaction: Interaction, *, with_notes: bool) -> QuerySet[Message]:
    """Reactions are not entries of their own (they mark the message they react to in the workspace); here they
    stay in, in order, as a manager reviewing the record reads what happened when."""
    messages = interaction.messages.select_related("author", "attachment", "reply_to").order_by("sequence")
    return messages if with_notes else messages.exclude(direction=Direction.INTERNAL)


def transcript(interaction: Interaction, *, with_notes: bool = True) -> list[TranscriptEntry]:
    customer = interaction.channel_user.display_name or interaction.channel_user.external_id
    return [_entry(message, customer=customer) for message in transcript_messages(interaction, with_notes=with_notes)]


def _entry(message: Message, *, customer: str) -> TranscriptEntry:
    attachment = getattr(message, "attachment", None)  # the reverse one-to-one raises when there is none
    if message.direction == Direction.INBOUND:
        side, author = "customer", customer
    elif message.direction == Direction.INTERNAL:
        side, author = "note", person_name(message.author) or "The desk"
    else:
        side = "business"
        automated = automated_author_label(str(message.content.get("automated", "")))
        author = person_name(message.author) or automated or "The desk"
    whisper = message.content.get("whisper_to") if message.direction == Direction.INTERNAL else None
    return TranscriptEntry(
        message=message,
        side=side,
        author=author,
        media=MEDIA_KINDS.get(message.kind, "") if attachment is not None else "",
        attachment=attachment,
        summary=summary(kind=message.kind, content=message.content),
        whisper_to=(whisper or {}).get("name", "") if isinstance(whisper, dict) else "",
        tick=TICKS.get(message.status, "") if message.direction == Direction.OUTBOUND else "",
    )
