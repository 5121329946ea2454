"""Messages the desk sends by itself in answer to a customer (a queue's waiting, out-of-hours or transfer message,
the virtual agent's questions and answers): replies inside the window the customer opened, never after their STOP,
judged by the same policy as an agent's reply (`reply_decision_for`). Not outreach: no opt-in is needed to answer
someone who just wrote."""

import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from interactions.channel_adapters import channel_adapter, channel_capabilities
from interactions.controls import Control, as_text
from interactions.media_policies import SNIFF_BYTES, filename_for_type, outbound_media_decision
from interactions.models import AttachmentState, Interaction, Message, MessageAttachment, MessageKind
from interactions.services.outbound import queue_outbound_message
from interactions.services.outreach import reply_decision_for
from interactions.services.timeline import save_message_change

logger = logging.getLogger(__name__)


def _refusal(*, interaction: Interaction, text: str) -> str:
    """Why an automated message may not go now, or empty."""
    if not interaction.is_open:
        return "the interaction is closed"
    limit = channel_capabilities(interaction.subtype).text_limit
    if len(text) > limit:
        return f"the text is longer than the channel's {limit}"
    decision = reply_decision_for(channel_user=interaction.channel_user)
    return "" if decision.allowed else decision.reason


def queue_automated_reply(*, interaction: Interaction, text: str, purpose: str) -> Message | None:
    """Queues the text in the interaction's outbox, or returns None (logged with the reason) when it may not go:
    the interaction is closed, the window has closed, the customer opted out, the text is empty or too long.

    The caller holds the interaction's lock (`lock_interaction`) inside its transaction; `purpose` is kept in the
    message's content (`{"automated": purpose}`) so the transcript says why it was sent.
    """
    text = text.strip()
    refusal = _refusal(interaction=interaction, text=text) if text else "the text is empty"
    if refusal:
        logger.info("automated %s message not sent in %s: %s", purpose, interaction, refusal)
        return None
    return queue_outbound_message(
        interaction=interaction, author=None, kind=MessageKind.TEXT, text=text, content={"automated": purpose}
    )


def queue_automated_control(
    *, interaction: Interaction, control: Control, purpose: str, page: int = 1, marks: dict | None = None
) -> list[Message]:
    """A responder's control rendered by the interaction's channel and queued, under the same rules as
    `queue_automated_reply`; `marks` are kept in each message's content beside `automated`. A rendering the channel
    itself refuses (a bug in its renderer) goes as plain text rather than not at all."""
    adapter = channel_adapter(interaction.subtype)
    queued = []
    for rendered in adapter.render_control(control, page=page):
        kind, text, content = rendered.kind, rendered.text, rendered.content
        problems = adapter.content_problems(kind=kind, content=content) if kind != MessageKind.TEXT else []
        if problems:
            logger.error("the channel refused its own rendering of a %s control: %s", control.kind, problems)
            kind, text, content = MessageKind.TEXT, as_text(control), {}
        refusal = _refusal(interaction=interaction, text=text)
        if refusal:
            logger.info("automated %s message not sent in %s: %s", purpose, interaction, refusal)
            continue
        queued.append(
            queue_outbound_message(
                interaction=interaction,
                author=None,
                kind=kind,
                text=text,
                content={**content, **(marks or {}), "automated": purpose},
            )
        )
    return queued


def queue_automated_document(
    *, interaction: Interaction, filename: str, data: bytes, mime_type: str, caption: str, purpose: str
) -> Message | None:
    """A file the desk made (a transcript) sent as a document, checked against the channel's media rules; None
    (logged) when it may not go. The caller holds the interaction's lock."""
    channel = channel_capabilities(interaction.subtype)
    decision = outbound_media_decision(
        declared_type=mime_type,
        head=data[:SNIFF_BYTES],
        size=len(data),
        rules=channel_adapter(interaction.subtype).media_rules(),
        channel_label=channel.label,
    )
    caption = caption.strip()[: channel.caption_limit]
    refusal = decision.refusal or _refusal(interaction=interaction, text=caption)
    if refusal:
        logger.info("automated %s document not sent in %s: %s", purpose, interaction, refusal)
        return None
    filename = filename_for_type(filename, decision.mime_type)
    stored_name = default_storage.save(
        MessageAttachment.file.field.generate_filename(MessageAttachment(), filename), ContentFile(data)
    )
    message = queue_outbound_message(
        interaction=interaction, author=None, kind=decision.kind, text=caption, content={"automated": purpose}
    )
    MessageAttachment.objects.create(
        message=message,
        state=AttachmentState.STORED,
        file=stored_name,
        mime_type=decision.mime_type,
        size=len(data),
        filename=filename,
    )
    save_message_change(interaction=interaction, message=message, fields=[])
    return message
