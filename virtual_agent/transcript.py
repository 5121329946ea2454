"""The `transcript` command: the conversation so far as a plain-text document, sent to the customer."""

from django.utils import timezone

from interactions.models import Direction
from interactions.people import name_for_customers
from interactions.services.automated_replies import queue_automated_document
from virtual_agent.engine import Conversation
from virtual_agent.front_door import LABEL, VIRTUAL_AGENT

MAX_LINES = 2000


def transcript_text(conversation: Conversation) -> str:
    """What the customer and the desk said (never internal notes), oldest first, each with its time."""
    interaction = conversation.interaction
    customer = interaction.channel_user.display_name or f"+{interaction.channel_user.external_id}"
    messages = (
        interaction.messages.exclude(direction=Direction.INTERNAL)
        .select_related("author")
        .order_by("sequence")[:MAX_LINES]
    )
    time_zone = timezone.get_current_timezone()
    lines = [f"Conversation {interaction.number}", ""]
    for message in messages:
        if message.direction == Direction.INBOUND:
            who = customer
        elif message.author_id is not None:
            who = name_for_customers(message.author, otherwise="our team")
        elif message.content.get("automated") == VIRTUAL_AGENT:
            who = LABEL
        else:
            who = "WhatsDesk"
        at = timezone.localtime(message.sent_at, time_zone).strftime("%Y-%m-%d %H:%M")
        text = message.text or f"({message.kind})"
        lines.append(f"[{at}] {who}: {text}")
    return "\n".join(lines) + "\n"


def send_transcript(conversation: Conversation) -> None:
    """Anything the turn said goes first, then the document (two messages: the file cannot carry a question)."""
    conversation.flush()
    interaction = conversation.interaction
    queue_automated_document(
        interaction=interaction,
        filename=f"transcript-{interaction.number}.txt",
        data=transcript_text(conversation).encode("utf-8"),
        mime_type="text/plain",
        caption=conversation.phrase_for("transcript_caption", number=interaction.number),
        purpose=VIRTUAL_AGENT,
    )
    conversation.session.last_prompt_at = timezone.now()
