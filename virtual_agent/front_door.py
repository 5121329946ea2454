"""Whether the virtual agent answers a conversation first: its switch per business number (`BusinessNumberSetting`;
the row without a number covers the rest, no row at all means off), read once per new customer-initiated
interaction; and, for a number set to answer only out of hours, whether the customer's queue is open now."""

from interactions.models import ChannelUser, Direction, Interaction, Message, MessageKind
from properties.accessor import current
from routing.services.queueing import queue_for, queue_is_open, routing_facts
from virtual_agent.models import BusinessNumberSetting, FrontDoorMode
from virtual_agent.properties import ENABLED

VIRTUAL_AGENT = "virtual_agent"  # Interaction.automated_responder and its messages' content["automated"]
LABEL = "Virtual agent"


def mode_for(account_id: str) -> str:
    """One query: the number's own setting, else the catch-all's, else off."""
    modes = dict(
        BusinessNumberSetting.objects.filter(account_id__in=[account_id, ""]).values_list("account_id", "mode")
    )
    return modes.get(account_id) or modes.get("") or FrontDoorMode.OFF


def takes_conversation(channel_user: ChannelUser) -> bool:
    """Asked as a customer's message opens an interaction (inside that transaction): switched on, system-wide (the
    `virtual_agent.enabled` property) and for the number. Whether it is out of hours is decided by the virtual
    agent's own listener, off the webhook's path."""
    return current(ENABLED) and mode_for(channel_user.account_id) != FrontDoorMode.OFF


def wants(message: Message) -> bool:
    """The inbound listener's filter, no query: a customer's message in an open conversation the virtual agent has."""
    interaction = message.interaction
    return (
        message.direction == Direction.INBOUND
        and interaction.is_open
        and interaction.automated_responder == VIRTUAL_AGENT
        and message.kind not in (MessageKind.REACTION, MessageKind.NOTICE)  # they answer nothing
    )


def steps_aside_now(interaction: Interaction) -> bool:
    """Set to answer only out of hours, and the queue the customer would wait in is open: people answer."""
    if mode_for(interaction.channel_user.account_id) != FrontDoorMode.OUT_OF_HOURS:
        return False
    queue = queue_for(routing_facts(interaction=interaction))
    return queue is not None and queue_is_open(queue)
