"""Who answers a customer first: an automated responder (the virtual agent) may take every conversation a customer
starts, before routing queues it for a person.

The responder registers at start-up (`AppConfig.ready`), as routing registers its listener, so the core never
imports it. When a customer's message opens an interaction, `takes(channel_user)` decides whether the responder
takes it (its switch for the business number written to); if so the interaction records the responder's name in
`Interaction.automated_responder`. While it is set, routing leaves the interaction alone and the responder's own
inbound listener answers (both listeners' `wants` read the field, no query). The responder hands over by clearing
it (`release_from_responder`), and an agent can hand a conversation back (`hand_to_responder`). A person who writes
in the conversation takes it over (`claim_interaction` clears it).
"""

from collections.abc import Callable
from dataclasses import dataclass

from interactions.models import ChannelUser


@dataclass(frozen=True, slots=True)
class AutomatedResponder:
    name: str  # what `Interaction.automated_responder` and its messages' `content["automated"]` record
    label: str  # what agents see as the author of its messages
    takes: Callable[[ChannelUser], bool]  # asked once per new customer-initiated interaction


_responder: AutomatedResponder | None = None


def register_automated_responder(responder: AutomatedResponder) -> None:
    """One responder at a time: the last registered wins."""
    global _responder
    _responder = responder


def registered_responder() -> AutomatedResponder | None:
    return _responder


def first_responder_for(channel_user: ChannelUser) -> str:
    """The responder's name if it takes this customer's new conversation, else empty (routing queues it)."""
    if _responder is None or not _responder.takes(channel_user):
        return ""
    return _responder.name


def automated_author_label(name: str) -> str:
    """The label of the responder that sent a message (`content["automated"]`), or empty."""
    return _responder.label if _responder is not None and name == _responder.name else ""
