"""A customer's message as an answer to the virtual agent: a tapped choice, typed text, a file, a location."""

import re
from dataclasses import dataclass
from datetime import date

from interactions.models import Message, MessageKind

FILE_KINDS = (MessageKind.IMAGE, MessageKind.DOCUMENT, MessageKind.VIDEO, MessageKind.AUDIO)


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerAnswer:
    message_id: int
    kind: str
    text: str  # what they typed, or the title of what they tapped, or a caption
    choice_id: str = ""  # a tapped list row or button
    location: dict | None = None

    @property
    def is_file(self) -> bool:
        return self.kind in FILE_KINDS

    @property
    def is_typed(self) -> bool:
        return self.kind == MessageKind.TEXT


def answer_of(message: Message) -> CustomerAnswer:
    content = message.content if isinstance(message.content, dict) else {}
    choice_id = ""
    text = message.text if message.kind in (MessageKind.TEXT, *FILE_KINDS) else ""
    if message.kind == MessageKind.INTERACTIVE and content.get("type") in ("list_reply", "button_reply"):
        choice_id, text = str(content.get("id", "")), str(content.get("title", ""))
    elif message.kind == MessageKind.BUTTON:
        text = str(content.get("text", ""))
    location = content if message.kind == MessageKind.LOCATION and "latitude" in content else None
    return CustomerAnswer(message_id=message.pk, kind=message.kind, text=text.strip(), choice_id=choice_id,
                          location=location)  # fmt: skip


def parsed_date(text: str) -> date | None:
    """2026-12-24, or day before month with dots or slashes (24.12.2026, 24/12/2026) as most of the world writes."""
    text = text.strip()
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    dotted = re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", text)
    try:
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        if dotted:
            return date(int(dotted.group(3)), int(dotted.group(2)), int(dotted.group(1)))
    except ValueError:
        return None
    return None
