"""A customer talking to the virtual agent in-process: each message recorded as the channel reports it, then the
virtual agent's listener run for it, as the worker would."""

from itertools import count

from django.conf import settings

from interactions.events import InboundMedia
from interactions.models import Direction, Interaction, Message, MessageKind
from interactions.services.inbound import record_inbound_message
from interactions.tests.core_events import inbound_message
from virtual_agent.engine import answer_customer
from virtual_agent.front_door import wants

_numbers = count(1)


class Customer:
    def __init__(self, wa_id: str = "", name: str = "Daniel Meyer") -> None:
        self.wa_id = wa_id or f"4917{next(_numbers):08d}"
        self.name = name
        self.last: Message | None = None

    @property
    def interaction(self) -> Interaction:
        return Interaction.objects.filter(channel_user__external_id=self.wa_id).order_by("-pk").first()

    def _send(self, **event) -> list[Message]:
        message = record_inbound_message(
            event=inbound_message(sender_id=self.wa_id, sender_name=self.name,
                                  account_id=settings.WHATSAPP_PHONE_NUMBER_ID, **event)
        )  # fmt: skip
        before = message.interaction.last_sequence
        if wants(message):
            answer_customer(message)
        replies = list(
            Message.objects.filter(
                interaction=message.interaction, direction=Direction.OUTBOUND, sequence__gt=before
            ).order_by("sequence")
        )
        if replies:
            self.last = replies[-1]
        return replies

    def says(self, text: str) -> list[Message]:
        return self._send(kind=MessageKind.TEXT, text=text)

    def taps(self, title_or_id: str) -> list[Message]:
        """Taps the list row or button of the last question whose title starts with (or whose id is) this."""
        content = self.last.content
        options = content.get("buttons") or [row for section in content.get("sections", []) for row in section["rows"]]
        option = next(o for o in options if o["id"] == title_or_id or o["title"].startswith(title_or_id))
        kind = "button_reply" if content.get("type") == "buttons" else "list_reply"
        content = {"type": kind, "id": option["id"], "title": option["title"], "description": ""}
        return self._send(kind=MessageKind.INTERACTIVE, text=option["title"], content=content)

    def sends_photo(self, caption: str = "") -> list[Message]:
        media = InboundMedia(external_id=f"media-{next(_numbers)}", mime_type="image/jpeg")
        return self._send(kind=MessageKind.IMAGE, text=caption, content={}, media=media)


def rows(message: Message) -> list[dict]:
    return [row for section in message.content.get("sections", []) for row in section["rows"]]


def titles(message: Message) -> list[str]:
    if message.content.get("type") == "buttons":
        return [button["title"] for button in message.content["buttons"]]
    return [row["title"] for row in rows(message)]
